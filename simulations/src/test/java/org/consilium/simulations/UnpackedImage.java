package org.consilium.simulations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An image archive of deploy/target/images unpacked the way a container engine would: index,
 * manifest and config read from the OCI layout, the layers extracted in order into a root
 * folder (links kept, modes and owners applied). What the image runs is its config.
 */
record UnpackedImage(Path root, JsonObject config) {
  static Path archive(String image) throws IOException {
    Path images = Path.of("").toAbsolutePath().getParent().resolve("deploy/target/images");
    try (Stream<Path> files = Files.exists(images) ? Files.list(images) : Stream.empty()) {
      return files.filter(f -> f.getFileName().toString().matches(image + "-.*\\.oci\\.tar")).findFirst().orElseThrow(() ->
          new IllegalStateException("no " + image + "-*.oci.tar in " + images + ": build it with ./mvnw -pl deploy -am package -DskipTests"));
    }
  }

  static UnpackedImage unpack(Path archive, Path root) throws IOException {
    Map<String, byte[]> small = new HashMap<>();
    Map<String, Path> blobs = new HashMap<>();
    Path blobDir = Files.createTempDirectory(root.getParent(), "blobs");
    try (InputStream in = Files.newInputStream(archive); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (!e.isFile()) continue;
        if (e.getSize() < 1 << 20) {
          small.put(e.getName(), tar.readAllBytes());
        } else {
          Path f = blobDir.resolve(e.getName().replace('/', '_'));
          Files.copy(tar, f);
          blobs.put(e.getName(), f);
        }
      }
    }
    JsonObject index = json(small, "index.json");
    JsonObject manifest = json(small, blob(index.getJsonArray("manifests").getJsonObject(0)));
    JsonObject config = json(small, blob(manifest.getJsonObject("config")));
    Files.createDirectories(root);
    for (Object layer : manifest.getJsonArray("layers")) {
      String name = blob((JsonObject) layer);
      try (InputStream raw = small.containsKey(name) ? new java.io.ByteArrayInputStream(small.get(name)) : Files.newInputStream(blobs.get(name));
          TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw))) {
        extract(tar, root);
      }
    }
    return new UnpackedImage(root, config);
  }

  private static void extract(TarArchiveInputStream tar, Path root) throws IOException {
    for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
      Path target = root.resolve(e.getName()).normalize();
      if (!target.startsWith(root)) throw new IOException("layer entry outside the root: " + e.getName());
      if (e.isDirectory()) {
        Files.createDirectories(target);
      } else if (e.isSymbolicLink()) {
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        continue; // links have no mode or owner of their own here
      } else {
        Files.createDirectories(target.getParent());
        Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      Files.setPosixFilePermissions(target, permissions(e.getMode()));
      if (e.getLongUserId() != 0) Files.setAttribute(target, "unix:uid", (int) e.getLongUserId());
      if (e.getLongGroupId() != 0) Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId());
      if ((e.getMode() & 07000) != 0) {
        try {
          new ProcessBuilder("chmod", Integer.toOctalString(e.getMode() & 07777), target.toString()).start().waitFor();
        } catch (InterruptedException x) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(int mode) {
    java.util.Set<java.nio.file.attribute.PosixFilePermission> set = java.util.EnumSet.noneOf(java.nio.file.attribute.PosixFilePermission.class);
    java.nio.file.attribute.PosixFilePermission[] all = java.nio.file.attribute.PosixFilePermission.values();
    for (int i = 0; i < 9; i++) if ((mode & (1 << (8 - i))) != 0) set.add(all[i]);
    return set;
  }

  private static String blob(JsonObject descriptor) {
    return "blobs/sha256/" + descriptor.getString("digest").substring("sha256:".length());
  }

  private static JsonObject json(Map<String, byte[]> files, String name) {
    byte[] b = files.get(name);
    if (b == null) throw new IllegalStateException("the image archive has no " + name);
    return new JsonObject(new String(b, StandardCharsets.UTF_8));
  }

  /** The command the image runs: its entrypoint followed by its default arguments. */
  List<String> command() {
    JsonObject c = config.getJsonObject("config");
    List<String> cmd = new java.util.ArrayList<>();
    c.getJsonArray("Entrypoint", new JsonArray()).forEach(x -> cmd.add((String) x));
    c.getJsonArray("Cmd", new JsonArray()).forEach(x -> cmd.add((String) x));
    return cmd;
  }
}
