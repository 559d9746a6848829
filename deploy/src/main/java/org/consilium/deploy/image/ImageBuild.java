package org.consilium.deploy.image;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Builds the coordinator and node images without a container engine: a Java runtime linked
 * with jlink from the JDK that runs the build, the C libraries it needs taken from this
 * machine (found with ldd, links kept), the distribution's jars, a non-root user (10001) and
 * mount points for the kit (/kit), data (/data) and state (/state); written as OCI archives
 * to target/images. Both images share their three layers; only the command differs.
 *
 * <p>Run by the build ({@code ./mvnw package}; skipped with -Dconsilium.images.skip=true):
 * {@code ImageBuild DISTRIBUTION.tar.gz OUT_DIR VERSION}.
 */
public final class ImageBuild {
  static final int USER = 10001;
  /** The runtime's modules: what the programs and their libraries use (TLS with EC keys, JDBC, JMX, YAML's beans, ...). */
  private static final List<String> MODULES = List.of("java.base", "java.logging", "java.management", "jdk.management", "java.naming",
      "java.sql", "java.transaction.xa", "java.xml", "java.desktop", "jdk.unsupported", "jdk.crypto.ec", "java.security.jgss",
      "java.security.sasl", "java.rmi", "java.scripting", "jdk.naming.dns", "java.net.http", "jdk.zipfs", "jdk.crypto.cryptoki");
  private static final Pattern LDD = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x[0-9a-f]+\\)");

  private ImageBuild() {}

  /** What each image runs. */
  enum Program {
    NODE("consilium-node", "org.consilium.node.NodeMain", "/kit/node.yaml", List.of()),
    COORDINATOR("consilium-coordinator", "org.consilium.coordinator.CoordinatorMain", "/kit/coordinator.yaml",
        List.of("7443/tcp", "8443/tcp", "5701/tcp"));

    final String image;
    final String mainClass;
    final String config;
    final List<String> ports;

    Program(String image, String mainClass, String config, List<String> ports) {
      this.image = image;
      this.mainClass = mainClass;
      this.config = config;
      this.ports = ports;
    }

    /** The java command the image runs (also what the image test runs inside the unpacked image). */
    List<String> entrypoint() {
      return List.of("/opt/java/bin/java", "-XX:-UsePerfData", "-XX:MaxRAMPercentage=75", "-Djava.io.tmpdir=/tmp",
          "-Dvertx.cacheDirBase=/tmp/vertx-cache", "-cp", "/opt/consilium/lib/*", mainClass);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) throw new IllegalArgumentException("usage: ImageBuild DISTRIBUTION.tar.gz OUT_DIR VERSION");
    Path distribution = Path.of(args[0]);
    Path out = Path.of(args[1]);
    String version = args[2];
    Path work = Files.createTempDirectory("consilium-image-");
    try {
      Path jars = unpackJars(distribution, work.resolve("lib"));
      Path jre = link(work.resolve("jre"));
      Path blobs = work.resolve("blobs");
      Layer.Blob base = baseLayer(jre).write(blobs);
      Layer.Blob runtime = new Layer().tree(jre, "/opt/java").write(blobs);
      Layer.Blob app = new Layer().tree(jars, "/opt/consilium/lib").write(blobs);
      Files.createDirectories(out);
      for (Program p : Program.values()) {
        Path archive = out.resolve(p.image + "-" + version + ".oci.tar");
        JsonObject labels = new JsonObject().put("org.opencontainers.image.title", p.image)
            .put("org.opencontainers.image.version", version)
            .put("org.opencontainers.image.description", "Consilium " + (p == Program.NODE ? "node" : "coordinator")
                + "; Java " + Runtime.version() + " linked by jlink; C libraries from the build machine");
        String digest = OciArchive.write(archive, p.image + ":" + version, List.of(base, runtime, app),
            new OciArchive.RunConfig(USER + ":" + USER, p.entrypoint(), List.of("--config", p.config), "/kit",
                List.of("PATH=/opt/java/bin", "JAVA_HOME=/opt/java", "LANG=C.UTF-8"), p.ports, List.of("/kit", "/data", "/state"), labels));
        System.out.println("image " + p.image + ":" + version + " " + digest + " -> " + archive + " (" + Files.size(archive) / (1 << 20) + " MiB)");
      }
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** The distribution's lib/*.jar, into dir. */
  private static Path unpackJars(Path distribution, Path dir) throws IOException {
    Files.createDirectories(dir);
    int n = 0;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(distribution)); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        String name = e.getName();
        if (e.isFile() && name.matches("[^/]+/lib/[^/]+\\.jar")) {
          Files.copy(tar, dir.resolve(name.substring(name.lastIndexOf('/') + 1)));
          n++;
        }
      }
    }
    if (n == 0) throw new IllegalStateException(distribution + " holds no lib/*.jar");
    return dir;
  }

  /** A Java runtime of the modules above, linked from the JDK running this build. */
  private static Path link(Path jre) {
    ToolProvider jlink = ToolProvider.findFirst("jlink")
        .orElseThrow(() -> new IllegalStateException("this JDK has no jlink; build the images with a full JDK"));
    List<String> modules = MODULES.stream().filter(m -> ModuleFinder.ofSystem().find(m).isPresent()).toList();
    StringWriter log = new StringWriter();
    int exit = jlink.run(new PrintWriter(log), new PrintWriter(log), "--add-modules", String.join(",", modules), "--strip-debug",
        "--no-header-files", "--no-man-pages", "--compress=" + (Runtime.version().feature() >= 21 ? "zip-6" : "2"),
        "--output", jre.toString());
    if (exit != 0) throw new IllegalStateException("jlink failed (" + exit + "): " + log);
    return jre;
  }

  /** Users, mount points, and the C libraries the runtime's binaries load (as ldd finds them here). */
  private static Layer baseLayer(Path jre) throws IOException, InterruptedException {
    Layer base = new Layer()
        .file("/etc/passwd", ("root:x:0:0:root:/root:/sbin/nologin\nconsilium:x:" + USER + ":" + USER + ":Consilium:/kit:/sbin/nologin\n")
            .getBytes(StandardCharsets.US_ASCII), 0644)
        .file("/etc/group", ("root:x:0:\nconsilium:x:" + USER + ":\n").getBytes(StandardCharsets.US_ASCII), 0644)
        .directory("/tmp", 01777, 0)
        .directory("/kit", 0750, USER)
        .directory("/data", 0750, USER)
        .directory("/state", 0750, USER)
        .directory("/proc", 0555, 0)
        .directory("/dev", 0755, 0);
    Set<String> libraries = sharedLibraries(jre);
    for (String library : libraries) base.hostPath(Path.of(library));
    base.hostPath(gmp(libraries));
    return base;
  }

  /**
   * GMP, which threshold Paillier loads through JNA (nodes for partial decryption and encryption,
   * the coordinator for proof checks): the JRE's binaries do not link it, so ldd does not name
   * it. It is looked for beside the C library, where distributions install it.
   */
  private static Path gmp(Set<String> libraries) {
    return libraries.stream().filter(l -> l.contains("libc.so")).map(l -> Path.of(l).resolveSibling("libgmp.so.10"))
        .filter(Files::exists).findFirst()
        .orElseThrow(() -> new IllegalStateException("libgmp.so.10 is not installed beside the C library on this machine"
            + " (Debian and Ubuntu: libgmp10): the images need it for threshold Paillier"));
  }

  private static Set<String> sharedLibraries(Path jre) throws IOException, InterruptedException {
    List<Path> binaries = new ArrayList<>(List.of(jre.resolve("bin/java")));
    try (Stream<Path> files = Files.walk(jre.resolve("lib"))) {
      files.filter(f -> f.getFileName().toString().endsWith(".so")).forEach(binaries::add);
    }
    Set<String> libraries = new TreeSet<>();
    for (Path b : binaries) {
      Process ldd = new ProcessBuilder("ldd", b.toString()).redirectErrorStream(true).start();
      String text = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (ldd.waitFor() != 0 && !text.contains("not a dynamic executable")) {
        throw new IllegalStateException("ldd " + b + " failed: " + text);
      }
      for (String line : text.split("\n")) {
        Matcher m = LDD.matcher(line);
        if (m.find() && !m.group(1).startsWith(jre.toString())) libraries.add(m.group(1));
      }
    }
    if (libraries.stream().noneMatch(l -> l.contains("libc.so"))) throw new IllegalStateException("ldd found no C library for " + jre);
    return libraries;
  }
}
