package org.consilium.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.consilium.analytics.config.Settings;

/**
 * The coordinator's configuration file (coordinator.yaml in its startup kit). Every key is in
 * {@link #KEYS}, documented in the coordinator README, and overridable by environment variable.
 */
public record CoordinatorConfig(
    String id,
    String nodesHost,
    int nodesPort,
    String restHost,
    int restPort,
    Path certificate,
    Path privateKey,
    Path ca,
    String adminCredentialSha256,
    String clusterName,
    String clusterHost,
    int clusterPort,
    List<String> clusterMembers,
    Path stateDir,
    int roundTimeoutSeconds,
    int maxFrameBytes,
    Path recordTraffic,
    Path hePublicKey,
    Path auditLog,
    Console console,
    Path dictionary,
    Limits limits,
    Path members,
    int clusterFailureSeconds,
    int heartbeatSeconds) {

  /**
   * What one node identity or connection may hold of the coordinator: the HELLO deadline,
   * connections per node id and in all, malformed frames before the connection is closed.
   */
  public record Limits(int helloSeconds, int connectionsPerNode, int maxConnections, int maxMalformedFrames) {}

  /** The web console's accounts and session rules. */
  public record Console(Path usersFile, Duration sessionIdle, Duration sessionMaxAge, int loginMaxFailures, Duration loginLockout) {}

  public static final Set<String> KEYS = Set.of(
      "coordinator.id",
      "nodes_listener.host", "nodes_listener.port",
      "rest.host", "rest.port",
      "tls.certificate", "tls.private_key", "tls.ca",
      "admin.credential_sha256",
      "cluster.name", "cluster.host", "cluster.port", "cluster.members", "cluster.state_dir",
      "rounds.timeout_seconds", "limits.max_frame_bytes",
      "debug.record_traffic", "he.public_key", "storage.audit_log",
      "console.users_file", "console.session_idle_minutes", "console.session_max_hours",
      "console.login_max_failures", "console.login_lockout_seconds", "dictionary",
      "limits.hello_seconds", "limits.connections_per_node", "limits.max_connections", "limits.max_malformed_frames", "members",
      "cluster.failure_detection_seconds", "links.heartbeat_seconds");

  private static int positive(Settings s, String key, int fallback) {
    int v = s.integer(key, fallback);
    if (v < 1) throw new Settings.ConfigException("setting '" + key + "' must be at least 1, not " + v);
    return v;
  }

  public static CoordinatorConfig load(Path file, Map<String, String> env) {
    Settings s = Settings.load(file, KEYS, env);
    String hash = s.requireString("admin.credential_sha256");
    if (!hash.matches("[0-9a-f]{64}")) {
      throw new Settings.ConfigException(file + ": setting 'admin.credential_sha256' must be 64 lower-case hex digits");
    }
    Path base = file.toAbsolutePath().getParent();
    return new CoordinatorConfig(
        s.string("coordinator.id", "coordinator"),
        s.string("nodes_listener.host", "127.0.0.1"),
        s.integer("nodes_listener.port", 7443),
        s.string("rest.host", "127.0.0.1"),
        s.integer("rest.port", 8443),
        s.path("tls.certificate"),
        s.path("tls.private_key"),
        s.path("tls.ca"),
        hash,
        s.string("cluster.name", "consilium"),
        s.string("cluster.host", "127.0.0.1"),
        s.integer("cluster.port", 5701),
        s.list("cluster.members"),
        s.has("cluster.state_dir") ? s.path("cluster.state_dir") : base.resolve("state"),
        s.integer("rounds.timeout_seconds", 20),
        s.integer("limits.max_frame_bytes", 16 * 1024 * 1024),
        s.has("debug.record_traffic") ? s.path("debug.record_traffic") : null,
        s.has("he.public_key") ? s.path("he.public_key") : null,
        s.has("storage.audit_log") ? s.path("storage.audit_log") : base.resolve("audit.log"),
        new Console(
            s.has("console.users_file") ? s.path("console.users_file") : base.resolve("console-users.yaml"),
            Duration.ofMinutes(positive(s, "console.session_idle_minutes", 30)),
            Duration.ofHours(positive(s, "console.session_max_hours", 12)),
            positive(s, "console.login_max_failures", 5),
            Duration.ofSeconds(positive(s, "console.login_lockout_seconds", 300))),
        s.has("dictionary") ? s.path("dictionary") : base.resolve("dictionary.yaml"),
        new Limits(positive(s, "limits.hello_seconds", 10), positive(s, "limits.connections_per_node", 2),
            positive(s, "limits.max_connections", 256), positive(s, "limits.max_malformed_frames", 10)),
        s.has("members") ? s.path("members") : base.resolve("members.yaml"),
        positive(s, "cluster.failure_detection_seconds", 10),
        positive(s, "links.heartbeat_seconds", 5));
  }
}
