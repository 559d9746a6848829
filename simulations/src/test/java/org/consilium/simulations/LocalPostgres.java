package org.consilium.simulations;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server for one test class: Debian's server binaries (installed by
 * scripts/install-postgres when missing), a fresh cluster in a temporary directory, listening
 * on a free loopback port with password (SCRAM) authentication; stopped and deleted on close.
 * PostgreSQL refuses to run as root, so as root it runs as the 'postgres' system user.
 */
final class LocalPostgres implements AutoCloseable {
  static final String ADMIN = "admin";
  private final Path dir;
  private final Path bin;
  private final int port;
  private final String adminPassword = "admin-" + Long.toHexString(new java.security.SecureRandom().nextLong());

  private LocalPostgres(Path dir, Path bin, int port) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
  }

  static LocalPostgres start() throws Exception {
    Path script = projectRoot().resolve("scripts/install-postgres");
    Process install = new ProcessBuilder(script.toString()).redirectErrorStream(true).start();
    String out = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!install.waitFor(10, TimeUnit.MINUTES)) throw new IllegalStateException("scripts/install-postgres did not finish in 10 minutes");
    Assumptions.assumeTrue(install.exitValue() != 3, "no apt-get here to install PostgreSQL; database tests skipped: " + out);
    if (install.exitValue() != 0) throw new IllegalStateException("scripts/install-postgres failed (" + install.exitValue() + "): " + out);
    Path bin;
    try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb"))).max(Comparator.naturalOrder())
          .orElseThrow(() -> new IllegalStateException("no /usr/lib/postgresql/*/bin/initdb after scripts/install-postgres"));
    }
    Path dir = Files.createTempDirectory("consilium-pg-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    LocalPostgres pg = new LocalPostgres(dir, bin, port);
    Files.writeString(dir.resolve("pw"), pg.adminPassword);
    if (root()) run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
    pg.asServerUser(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", ADMIN, "--auth=scram-sha-256",
        "--pwfile=" + dir.resolve("pw"), "-E", "UTF8", "--no-locale");
    pg.asServerUser(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(),
        "-w", "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start");
    return pg;
  }

  String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  Connection admin(String database) throws SQLException {
    return DriverManager.getConnection(url(database), ADMIN, adminPassword);
  }

  @Override
  public void close() throws Exception {
    try {
      asServerUser(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  private void asServerUser(String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (root()) full.addAll(List.of("runuser", "-u", "postgres", "--"));
    full.addAll(List.of(command));
    run(full);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static Path projectRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("scripts/install-postgres"))) p = p.getParent();
    if (p == null) throw new IllegalStateException("cannot find scripts/install-postgres above " + Path.of("").toAbsolutePath());
    return p;
  }
}
