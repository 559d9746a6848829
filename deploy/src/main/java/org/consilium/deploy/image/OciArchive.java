package org.consilium.deploy.image;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An image as one file, without a container engine: an OCI image layout (oci-layout, index.json,
 * blobs/sha256/...) in a tar, which `docker load`, `podman load` and `skopeo copy oci-archive:`
 * read. It also carries Docker's manifest.json naming the same blobs, for engines that only read
 * docker-archive. The reference name is the index annotation and the Docker repo tag.
 */
final class OciArchive {
  private OciArchive() {}

  /** What the image runs and how: the OCI config's "config" object. */
  record RunConfig(String user, List<String> entrypoint, List<String> cmd, String workingDir, List<String> env,
      List<String> exposedPorts, List<String> volumes, JsonObject labels) {}

  /** Writes the archive to out; returns the manifest digest (the image's identity). */
  static String write(Path out, String reference, List<Layer.Blob> layers, RunConfig run) throws IOException {
    JsonObject exposed = new JsonObject();
    run.exposedPorts().forEach(p -> exposed.put(p, new JsonObject()));
    JsonObject volumes = new JsonObject();
    run.volumes().forEach(v -> volumes.put(v, new JsonObject()));
    JsonObject config = new JsonObject()
        .put("architecture", "amd64")
        .put("os", "linux")
        .put("config", new JsonObject().put("User", run.user()).put("Entrypoint", new JsonArray(run.entrypoint()))
            .put("Cmd", new JsonArray(run.cmd())).put("WorkingDir", run.workingDir()).put("Env", new JsonArray(run.env()))
            .put("ExposedPorts", exposed).put("Volumes", volumes).put("Labels", run.labels()))
        .put("rootfs", new JsonObject().put("type", "layers").put("diff_ids", new JsonArray(layers.stream().map(Layer.Blob::diffId).toList())));
    byte[] configBytes = config.encode().getBytes(StandardCharsets.UTF_8);
    String configDigest = sha256(configBytes);
    JsonObject manifest = new JsonObject()
        .put("schemaVersion", 2)
        .put("mediaType", "application/vnd.oci.image.manifest.v1+json")
        .put("config", descriptor("application/vnd.oci.image.config.v1+json", configDigest, configBytes.length))
        .put("layers", new JsonArray(layers.stream()
            .map(l -> descriptor("application/vnd.oci.image.layer.v1.tar+gzip", l.digest(), l.size())).toList()));
    byte[] manifestBytes = manifest.encode().getBytes(StandardCharsets.UTF_8);
    String manifestDigest = sha256(manifestBytes);
    JsonObject index = new JsonObject()
        .put("schemaVersion", 2)
        .put("mediaType", "application/vnd.oci.image.index.v1+json")
        .put("manifests", new JsonArray().add(descriptor("application/vnd.oci.image.manifest.v1+json", manifestDigest, manifestBytes.length)
            .put("annotations", new JsonObject().put("org.opencontainers.image.ref.name", reference)
                .put("io.containerd.image.name", reference))));
    JsonArray dockerManifest = new JsonArray().add(new JsonObject()
        .put("Config", blobPath(configDigest))
        .put("RepoTags", new JsonArray().add(reference))
        .put("Layers", new JsonArray(layers.stream().map(l -> blobPath(l.digest())).toList())));

    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    try (OutputStream file = Files.newOutputStream(tmp); TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      directory(tar, "blobs/");
      directory(tar, "blobs/sha256/");
      put(tar, "oci-layout", new JsonObject().put("imageLayoutVersion", "1.0.0").encode().getBytes(StandardCharsets.UTF_8));
      put(tar, "index.json", index.encode().getBytes(StandardCharsets.UTF_8));
      put(tar, "manifest.json", dockerManifest.encode().getBytes(StandardCharsets.UTF_8));
      put(tar, blobPath(configDigest), configBytes);
      put(tar, blobPath(manifestDigest), manifestBytes);
      for (Layer.Blob l : layers) {
        TarArchiveEntry e = entry(blobPath(l.digest()), l.size());
        tar.putArchiveEntry(e);
        try (InputStream in = Files.newInputStream(l.file())) {
          in.transferTo(tar);
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    }
    Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return manifestDigest;
  }

  private static JsonObject descriptor(String mediaType, String digest, long size) {
    return new JsonObject().put("mediaType", mediaType).put("digest", digest).put("size", size);
  }

  private static String blobPath(String digest) {
    return "blobs/sha256/" + digest.substring("sha256:".length());
  }

  private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setModTime(0);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  private static void put(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
    tar.putArchiveEntry(entry(name, content.length));
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private static TarArchiveEntry entry(String name, long size) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(size);
    e.setMode(0100644);
    e.setModTime(0);
    return e;
  }

  static String sha256(byte[] bytes) {
    return "sha256:" + org.consilium.analytics.identity.Digests.sha256Hex(bytes);
  }
}
