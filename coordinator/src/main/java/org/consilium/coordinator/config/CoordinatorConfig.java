package org.consilium.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.consilium.analytics.config.ConfigKey;
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
    int heartbeatSeconds,
    Path revocationList) {

  /**
   * What one node identity or connection may hold of the coordinator: the HELLO deadline,
   * connections per node id and in all, malformed frames before the connection is closed.
   */
  public record Limits(int helloSeconds, int connectionsPerNode, int maxConnections, int maxMalformedFrames) {}

  /** The web console's accounts and session rules. */
  public record Console(Path usersFile, Duration sessionIdle, Duration sessionMaxAge, int loginMaxFailures, Duration loginLockout) {}

  /** Every setting with its default and meaning: the README's table is held to this list by a test. */
  public static final List<ConfigKey> SCHEMA = List.of(
      new ConfigKey("coordinator.id", "`coordinator`",
          "name in logs and WELCOME frames"),
      new ConfigKey("nodes_listener.host", "`127.0.0.1`",
          "where nodes connect (mTLS): interface"),
      new ConfigKey("nodes_listener.port", "`7443`",
          "where nodes connect (mTLS): port"),
      new ConfigKey("rest.host", "`127.0.0.1`",
          "REST API and console (TLS): interface; both listeners (and the nodes' client) accept TLS 1.3 and TLS 1.2 with ECDHE-ECDSA AEAD suites only (`analytics.identity.TlsPolicy`); CBC and SHA-1 suites are refused"),
      new ConfigKey("rest.port", "`8443`",
          "REST API and console (TLS): port"),
      new ConfigKey("tls.certificate", "(required)",
          "the coordinator's certificate (PEM)"),
      new ConfigKey("tls.private_key", "(required)",
          "its private key (PKCS#8 PEM, owner-only)"),
      new ConfigKey("tls.ca", "(required)",
          "the consortium CA certificate, the only trust anchor"),
      new ConfigKey("tls.crl", "`crl.pem`",
          "the consortium CA's certificate revocation list (`consilium provision revoke` writes it); re-read when the file changes: a revoked node is cut off and refused, and every connected node is sent the newer list (nodes adopt only a CA-signed list with a higher number)"),
      new ConfigKey("admin.credential_sha256", "(required)",
          "SHA-256 (hex) of the administrator token"),
      new ConfigKey("cluster.name", "`consilium`",
          "Hazelcast cluster name"),
      new ConfigKey("cluster.host", "`127.0.0.1`",
          "this member's Hazelcast interface (bound to it only)"),
      new ConfigKey("cluster.port", "`5701`",
          "this member's Hazelcast port"),
      new ConfigKey("cluster.members", "`[]`",
          "other coordinator instances to join, `host:port`"),
      new ConfigKey("cluster.state_dir", "`state`",
          "durable store of the maps (one fsynced file per entry)"),
      new ConfigKey("cluster.failure_detection_seconds", "`10`",
          "how long an instance may stay silent before the others remove it and take over its jobs"),
      new ConfigKey("links.heartbeat_seconds", "`5`",
          "nodes send a heartbeat this often on an idle link (answered); a link silent for 3x this is closed"),
      new ConfigKey("rounds.timeout_seconds", "`20`",
          "deadline of each protocol round"),
      new ConfigKey("limits.max_frame_bytes", "`16777216`",
          "larger frames close the connection"),
      new ConfigKey("limits.hello_seconds", "`10`",
          "a node connection that has not said HELLO by then is closed; before HELLO frames are limited to 64 KiB"),
      new ConfigKey("limits.connections_per_node", "`2`",
          "open connections one node certificate may hold; more are refused"),
      new ConfigKey("limits.max_connections", "`256`",
          "open node connections in all; more are refused"),
      new ConfigKey("limits.max_malformed_frames", "`10`",
          "malformed frames one connection may send before it is closed (the first five are logged, the rest counted once at close); a peer that stops reading is closed once twice `limits.max_frame_bytes` wait unsent"),
      new ConfigKey("storage.audit_log", "`audit.log`",
          "the coordinator's hash-chained, signed audit trail"),
      new ConfigKey("members", "`members.yaml`",
          "the consortium's members, node id to the SHA-256 of its provisioned certificate: a certificate from the consortium CA whose id is not a member, or whose key is not the pinned one, is refused at connection (`not_a_member`); `POST /api/v1/nodes/ID/key` (admin, audited as `node.key_rotated`) pins a new one"),
      new ConfigKey("dictionary", "`dictionary.yaml`",
          "the consortium's data dictionary: jobs are checked against it at submission (datasets and columns it declares, bounds that only narrow its public ones; 400 naming the field otherwise), its digest travels with every job, and `GET /api/v1/datasets` serves it as the dataset catalog"),
      new ConfigKey("he.public_key", "(none)",
          "the consortium's threshold Paillier public key (`he-public-key.pb`); needed for `AGGREGATION_THRESHOLD_PAILLIER` jobs"),
      new ConfigKey("console.users_file", "`console-users.yaml`",
          "console accounts (name, role, PBKDF2 hash); without it only the API token works"),
      new ConfigKey("console.session_idle_minutes", "`30`",
          "a session ends after this long without a request"),
      new ConfigKey("console.session_max_hours", "`12`",
          "and after this long in any case"),
      new ConfigKey("console.login_max_failures", "`5`",
          "wrong passwords for one name from one client address before each further try waits a doubling delay (1 s, 2 s, ...); an address gets four times as many across names; a name alone is delayed by at most 5 s, so a guesser elsewhere never locks its user out"),
      new ConfigKey("console.login_lockout_seconds", "`300`",
          "the longest of those delays"),
      new ConfigKey("debug.record_traffic", "(off)",
          "append every byte received from nodes to this file (audit and tests)"));

  public static final Set<String> KEYS = ConfigKey.names(SCHEMA);

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
        positive(s, "links.heartbeat_seconds", 5),
        s.has("tls.crl") ? s.path("tls.crl") : base.resolve("crl.pem"));
  }
}
