package org.consilium.node.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.consilium.analytics.config.Settings;
import org.consilium.analytics.data.BadRowPolicy;

/**
 * The node's configuration file (node.yaml in its startup kit). Every key is listed in
 * {@link #KEYS} and documented in the node README; each can be overridden by an environment
 * variable (see {@link Settings}).
 */
public record NodeConfig(
    String nodeId,
    String coordinatorHost,
    int coordinatorPort,
    Path certificate,
    Path privateKey,
    Path ca,
    Path ledger,
    Map<String, DatasetConfig> datasets,
    PolicyConfig policy,
    int maxFrameBytes,
    int reconnectSeconds,
    int roundDelayMillis,
    Path heKeyShare,
    Path auditLog,
    boolean shareAuditLog,
    Map<String, String> datasheet,
    Path dictionary,
    int refuseAtStep,
    List<String> coordinatorEndpoints,
    int heartbeatSeconds,
    int jobGraceSeconds,
    Long noiseSeed) {

  public static final Set<String> KEYS = Set.of(
      "node.id", "coordinator.host", "coordinator.port",
      "tls.certificate", "tls.private_key", "tls.ca",
      "storage.ledger", "storage.audit_log", "audit.share_with_coordinator",
      "policy.allowed_computations", "policy.allowed_columns", "policy.min_cohort_size", "policy.min_parties",
      "policy.epsilon_cap", "policy.allow_exact_release",
      "limits.max_frame_bytes", "network.reconnect_seconds", "debug.round_delay_ms", "he.key_share",
      "datasets.*", "datasheet.*", "dictionary", "debug.refuse_at_step",
      "coordinator.endpoints", "network.heartbeat_seconds", "network.job_grace_seconds", "debug.noise_seed");

  /** One dataset: its CSV file, what to do with bad rows, and its own epsilon cap. */
  public record DatasetConfig(String name, Path path, BadRowPolicy badRows, long maxRows, double epsilonCap) {}

  /** The node's rules for what it takes part in. */
  public record PolicyConfig(List<String> allowedComputations, List<String> allowedColumns, int minCohortSize,
      int minParties, double epsilonCap, boolean allowExactRelease) {}

  /** The sections of "Datasheets for Datasets" a node answers for its own data. */
  public static final List<String> DATASHEET_SECTIONS =
      List.of("motivation", "collection", "preprocessing", "uses", "distribution", "maintenance");

  private static Map<String, String> datasheetAnswers(Settings s) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String section : s.children("datasheet")) {
      if (!DATASHEET_SECTIONS.contains(section)) {
        throw new Settings.ConfigException(s.file() + ": unknown datasheet section '" + section + "', expected one of " + DATASHEET_SECTIONS);
      }
      out.put(section, s.string("datasheet." + section, ""));
    }
    return out;
  }

  public static NodeConfig load(Path file, Map<String, String> env) {
    Settings s = Settings.load(file, KEYS, env);
    PolicyConfig policy = new PolicyConfig(
        s.list("policy.allowed_computations").isEmpty() ? List.of("statistics") : s.list("policy.allowed_computations"),
        s.list("policy.allowed_columns"),
        s.integer("policy.min_cohort_size", 10),
        s.integer("policy.min_parties", 3),
        s.number("policy.epsilon_cap", 10.0),
        s.bool("policy.allow_exact_release", false));
    Map<String, DatasetConfig> datasets = new LinkedHashMap<>();
    for (String name : s.children("datasets")) {
      String p = "datasets." + name;
      String bad = s.string(p + ".bad_rows", "fail");
      BadRowPolicy badRows;
      try {
        badRows = BadRowPolicy.valueOf(bad.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new Settings.ConfigException(file + ": setting '" + p + ".bad_rows' must be fail or skip, got '" + bad + "'");
      }
      datasets.put(name, new DatasetConfig(name, s.path(p + ".path"), badRows, s.integer(p + ".max_rows", 1_000_000),
          s.number(p + ".epsilon_cap", policy.epsilonCap())));
    }
    if (datasets.isEmpty()) throw new Settings.ConfigException(file + ": no datasets configured (datasets.<name>.path)");
    String host = s.string("coordinator.host", "127.0.0.1");
    int port = s.integer("coordinator.port", 7443);
    List<String> endpoints = s.has("coordinator.endpoints") ? s.list("coordinator.endpoints") : List.of(host + ":" + port);
    for (String e : endpoints) {
      if (!e.matches("[^:\\s]+:[0-9]{1,5}")) {
        throw new Settings.ConfigException(file + ": setting 'coordinator.endpoints' lists '" + e + "'; each must be host:port");
      }
    }
    int heartbeat = s.integer("network.heartbeat_seconds", 5);
    int grace = s.integer("network.job_grace_seconds", 120);
    if (heartbeat < 1 || grace < 1) {
      throw new Settings.ConfigException(file + ": settings 'network.heartbeat_seconds' and 'network.job_grace_seconds' must be at least 1");
    }
    return new NodeConfig(
        s.requireString("node.id"),
        host,
        port,
        s.path("tls.certificate"),
        s.path("tls.private_key"),
        s.path("tls.ca"),
        s.has("storage.ledger") ? s.path("storage.ledger") : file.toAbsolutePath().getParent().resolve("privacy-ledger.log"),
        datasets,
        policy,
        s.integer("limits.max_frame_bytes", 16 * 1024 * 1024),
        s.integer("network.reconnect_seconds", 2),
        s.integer("debug.round_delay_ms", 0),
        s.has("he.key_share") ? s.path("he.key_share") : null,
        s.has("storage.audit_log") ? s.path("storage.audit_log") : file.toAbsolutePath().getParent().resolve("audit.log"),
        s.bool("audit.share_with_coordinator", true),
        datasheetAnswers(s),
        s.has("dictionary") ? s.path("dictionary") : file.toAbsolutePath().getParent().resolve("dictionary.yaml"),
        s.integer("debug.refuse_at_step", -1),
        List.copyOf(endpoints),
        heartbeat,
        grace,
        s.has("debug.noise_seed") ? (long) s.integer("debug.noise_seed", 0) : null);
  }
}
