package org.consilium.node.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.consilium.analytics.config.ConfigKey;
import org.consilium.analytics.config.Settings;
import org.consilium.analytics.data.BadRowPolicy;
import org.consilium.analytics.data.CsvFormat;
import org.consilium.node.data.DataSource;
import org.consilium.node.data.OmopMapping;

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
    Long noiseSeed,
    Path revocationList,
    String metricsHost,
    int metricsPort) {

  /** Every setting with its default and meaning: the README's table is held to this list by a test. */
  public static final List<ConfigKey> SCHEMA = List.of(
      new ConfigKey("node.id", "(required)",
          "this node's id; must equal the CN of its certificate"),
      new ConfigKey("coordinator.host", "`127.0.0.1`",
          "coordinator host name or IP; must be in the coordinator certificate's SAN"),
      new ConfigKey("coordinator.port", "`7443`",
          "coordinator's node port"),
      new ConfigKey("tls.certificate", "(required)",
          "this node's certificate (PEM)"),
      new ConfigKey("tls.private_key", "(required)",
          "this node's private key (PKCS#8 PEM); keep it owner-readable only"),
      new ConfigKey("tls.ca", "(required)",
          "the consortium CA certificate, the only trust anchor"),
      new ConfigKey("metrics.port", "`0`",
          "where the node serves its Prometheus metrics (`/metrics`: budget left per dataset, offers by decision, coordinator link, certificate expiry, JVM); 0 serves none"),
      new ConfigKey("metrics.host", "`127.0.0.1`",
          "the interface of the metrics endpoint (plain HTTP: keep it on loopback or a monitoring network)"),
      new ConfigKey("tls.crl", "`crl.pem`",
          "the consortium CA's certificate revocation list, kept up to date by the coordinator (only a CA-signed list with a higher number replaces it): a revoked coordinator certificate is refused at connection, a job naming a revoked peer is refused (`peer_identity`)"),
      new ConfigKey("storage.ledger", "`privacy-ledger.log`",
          "the privacy ledger file"),
      new ConfigKey("storage.audit_log", "`audit.log`",
          "the node's hash-chained, signed audit trail"),
      new ConfigKey("audit.share_with_coordinator", "`true`",
          "send a copy of the audit log when a consortium administrator asks for it in the console (it holds offers, decisions, rounds and digests, never data); `false` keeps it on the node (`consilium-audit` reads it there)"),
      new ConfigKey("dictionary", "`dictionary.yaml`",
          "the consortium's data dictionary (provisioned, the same file in every kit). At start each dataset is checked against it: a declared column missing, or a categorical value that is not a declared code, stops the node naming the column and row; columns the dictionary does not declare are dropped, so no job can name them; values outside the public bounds are counted in the log (every mechanism clips them). A job checked against another dictionary version is refused (rule `dictionary`)"),
      new ConfigKey("datasheet.SECTION", "(none)",
          "this node's answers for the consortium datasheet: `motivation`, `collection`, `preprocessing`, `uses`, `distribution`, `maintenance`"),
      new ConfigKey("datasets.NAME.path", "(this or `jdbc_url`)",
          "CSV file with a header row (RFC 4180: fields may be quoted, a byte order mark is skipped); each cell a number, empty (missing), or for a categorical column one of its labels in the data dictionary (`female` for sex 0; case is ignored when unambiguous)"),
      new ConfigKey("datasets.NAME.delimiter", "`,`",
          "the field delimiter: `,`, `;`, `tab` or the vertical bar"),
      new ConfigKey("datasets.NAME.decimal", "`.`",
          "the decimal separator: `.` or `,` (with `,` a cell like `1.5` is refused rather than guessed at)"),
      new ConfigKey("datasets.NAME.encoding", "`UTF-8`",
          "the file's character encoding (e.g. `UTF-8`, `ISO-8859-1`, `windows-1252`); bytes not valid in it stop the load naming the line"),
      new ConfigKey("datasets.NAME.jdbc_url", "(this or `path`)",
          "a database instead of a file, e.g. `jdbc:postgresql://db.example.org:5432/research` (PostgreSQL's driver is bundled); read in a read-only transaction, so the node cannot change it"),
      new ConfigKey("datasets.NAME.table", "(this or `query`)",
          "with `jdbc_url`: a table or view, `name` or `schema.name`, read whole"),
      new ConfigKey("datasets.NAME.query", "(this or `table`)",
          "with `jdbc_url`: a `SELECT` whose columns are the dataset's (numbers, booleans, or text labels of the data dictionary; NULL is missing)"),
      new ConfigKey("datasets.NAME.user", "(none)",
          "with `jdbc_url`: the database role (give it only SELECT on what the dataset needs)"),
      new ConfigKey("datasets.NAME.password_file", "(none)",
          "with `jdbc_url`: a file holding the role's password (keep it owner-only); never logged"),
      new ConfigKey("datasets.NAME.password_env", "(none)",
          "with `jdbc_url`: instead, the name of an environment variable holding the password; never logged"),
      new ConfigKey("datasets.NAME.omop_mapping", "(none)",
          "with `jdbc_url`: instead of a table or query, a YAML file defining the dataset over an OMOP CDM v5.4 database (one row per person; columns from person, the newest measurement or observation of a concept, or whether a condition occurrence exists; see `data.OmopMapping`)"),
      new ConfigKey("datasets.NAME.bad_rows", "`fail`",
          "`fail`: refuse to start on a bad row; `skip`: leave it out and log file, line, column and reason"),
      new ConfigKey("datasets.NAME.max_rows", "`1000000`",
          "refuse files with more rows"),
      new ConfigKey("datasets.NAME.epsilon_cap", "`policy.epsilon_cap`",
          "total epsilon this dataset may ever spend"),
      new ConfigKey("policy.allowed_computations", "`[statistics]`",
          "computations this node takes part in: `statistics`, `train`, `datasheet`, `drift`"),
      new ConfigKey("policy.allowed_columns", "`[]` (all)",
          "columns a job may use"),
      new ConfigKey("policy.min_cohort_size", "`10`",
          "the smallest local cohort the node contributes data for. DP jobs are never refused on it (a refusal answered \"fewer than N rows?\" for free): the node accepts, reserves the job's epsilon plus 0.05, and compares its cohort size plus discrete Laplace noise (epsilon 0.05) to the minimum; below it, it takes part with no rows (only its noise share leaves). Exact releases (validation only) are refused below it as before"),
      new ConfigKey("policy.min_parties", "`3`",
          "refuse when the job's threshold t (and so the fewest contributors of any release) is lower"),
      new ConfigKey("policy.epsilon_cap", "`10.0`",
          "default per-dataset epsilon cap"),
      new ConfigKey("policy.allow_exact_release", "`false`",
          "accept epsilon = Infinity (exact, not DP) jobs; for validation only; logged in the ledger, not counted"),
      new ConfigKey("policy.secagg_min_neighbours", "`0` (sparse graphs refused)",
          "take part in SecAgg+ jobs (`secagg_neighbours` = k: this node masks with, and shares its secrets among, k others only, so a majority of those k colluding with the coordinator could unmask its input, where with everyone it takes the job's threshold) only when k is at least this; 0 refuses every sparse graph (published in the node's policy summary, so the console's pre-check names the refusal before a job is sent)"),
      new ConfigKey("policy.allow_per_site_release", "`true`",
          "take part in jobs whose release shows this site's own (DP) figures: datasheets, per-site evaluations, per-site drift monitoring; when false such jobs are refused (rule `policy.allow_per_site_release`) and drift monitors measure this site only pooled"),
      new ConfigKey("limits.max_frame_bytes", "`16777216`",
          "refuse larger frames from the coordinator"),
      new ConfigKey("network.reconnect_seconds", "`2`",
          "wait before redialling the coordinator (after every endpoint has been tried once)"),
      new ConfigKey("coordinator.endpoints", "`[coordinator.host:coordinator.port]`",
          "every coordinator instance, `host:port`; on a lost link the node dials the next and resumes its jobs there"),
      new ConfigKey("network.heartbeat_seconds", "`5`",
          "send a heartbeat this often; a link silent for three beats is closed and redialled"),
      new ConfigKey("network.job_grace_seconds", "`120`",
          "how long a job survives without a coordinator before the node drops it (refunding its reservation if none of its data left)"),
      new ConfigKey("he.key_share", "(none)",
          "this node's share of the consortium's threshold Paillier key (`he-key-share.pb`, owner-only); without it the node refuses `AGGREGATION_THRESHOLD_PAILLIER` jobs (rule `he.key_share`)"),
      new ConfigKey("debug.round_delay_ms", "`0`",
          "fault injection for drills and tests: answer protocol rounds this late"),
      new ConfigKey("debug.noise_seed", "(none)",
          "tests only: draw this node's DP noise and noisy cohort test from a PRG seeded with this number, so that two runs of a job release the same values (the node logs a warning; never set it in production: noise an adversary can predict protects nothing)"),
      new ConfigKey("debug.refuse_at_step", "`-1` (never)",
          "fault injection for drills and tests: refuse a training job when its step N starts, as a rogue participant would (the coordinator treats a refusal after acceptance as a dropout)"));

  public static final Set<String> KEYS = ConfigKey.names(SCHEMA);

  /** One dataset: where its rows come from (a CSV file or a database), what to do with bad rows, and its own epsilon cap. */
  public record DatasetConfig(String name, DataSource source, BadRowPolicy badRows, long maxRows,
      double epsilonCap) {}

  /** The node's rules for what it takes part in. */
  public record PolicyConfig(List<String> allowedComputations, List<String> allowedColumns, int minCohortSize,
      int minParties, double epsilonCap, boolean allowExactRelease, boolean allowPerSiteRelease, int secaggMinNeighbours) {}

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

  private static final List<String> CSV_KEYS = List.of("delimiter", "decimal", "encoding");
  private static final List<String> DATABASE_KEYS = List.of("table", "query", "user", "password_file", "password_env", "omop_mapping");

  /** A dataset's source: a CSV file (path) or a database (jdbc_url with a table or a query); throws naming what is wrong. */
  private static DataSource source(Settings s, String p, Map<String, String> env) {
    boolean csv = s.has(p + ".path");
    boolean db = s.has(p + ".jdbc_url");
    if (csv == db) throw new IllegalArgumentException("declare either path (a CSV file) or jdbc_url (a database), not both and not neither");
    // A key of the other kind of source would be ignored in silence: refuse it, naming it.
    List<String> foreign = (csv ? DATABASE_KEYS : CSV_KEYS).stream().filter(k -> s.has(p + "." + k)).toList();
    if (!foreign.isEmpty()) {
      throw new IllegalArgumentException(foreign + (csv ? " apply to a database (jdbc_url), not to a CSV file (path)"
          : " apply to a CSV file (path), not to a database (jdbc_url)"));
    }
    if (csv) {
      return new DataSource.CsvFile(s.path(p + ".path"), CsvFormat.of(
          s.string(p + ".delimiter", ","), s.string(p + ".decimal", "."), s.string(p + ".encoding", "UTF-8")));
    }
    DataSource.Secret password = null;
    if (s.has(p + ".password_file") && s.has(p + ".password_env")) throw new IllegalArgumentException("declare password_file or password_env, not both");
    if (s.has(p + ".password_file")) {
      Path f = s.path(p + ".password_file");
      try {
        password = new DataSource.Secret(Files.readString(f).strip());
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read password_file " + f + ": " + e.getMessage());
      }
    } else if (s.has(p + ".password_env")) {
      String var = s.string(p + ".password_env", "");
      String v = env.get(var);
      if (v == null) throw new IllegalArgumentException("password_env names " + var + ", which is not set");
      password = new DataSource.Secret(v);
    }
    String query = s.string(p + ".query", null);
    if (s.has(p + ".omop_mapping")) {
      if (query != null || s.has(p + ".table")) throw new IllegalArgumentException("omop_mapping replaces table and query: declare only one");
      query = OmopMapping.query(s.path(p + ".omop_mapping"));
    }
    return new DataSource.Database(s.string(p + ".jdbc_url", null), s.string(p + ".table", null),
        query, s.string(p + ".user", null), password);
  }

  /**
   * The effective configuration as --check prints it: every setting of the file or the
   * environment (saying which variable), then every other declared key with its default.
   */
  public static List<String> describe(Path file, Map<String, String> env) {
    Settings s = Settings.load(file, KEYS, env);
    List<String> lines = new java.util.ArrayList<>(s.describe());
    for (ConfigKey k : SCHEMA) {
      if (!k.name().contains("NAME") && !k.name().contains("SECTION") && !s.has(k.name())) {
        lines.add(k.name() + " = " + k.defaultValue().replace("`", "") + "  (default)");
      }
    }
    return lines;
  }

  public static NodeConfig load(Path file, Map<String, String> env) {
    Settings s = Settings.load(file, KEYS, env);
    PolicyConfig policy = new PolicyConfig(
        s.list("policy.allowed_computations").isEmpty() ? List.of("statistics") : s.list("policy.allowed_computations"),
        s.list("policy.allowed_columns"),
        s.integer("policy.min_cohort_size", 10),
        s.integer("policy.min_parties", 3),
        s.number("policy.epsilon_cap", 10.0),
        s.bool("policy.allow_exact_release", false),
        s.bool("policy.allow_per_site_release", true),
        s.integer("policy.secagg_min_neighbours", 0));
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
      DataSource source;
      try {
        source = source(s, p, env);
      } catch (IllegalArgumentException e) {
        throw new Settings.ConfigException(file + ": dataset '" + name + "': " + e.getMessage());
      }
      datasets.put(name, new DatasetConfig(name, source, badRows, s.integer(p + ".max_rows", 1_000_000),
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
        s.has("debug.noise_seed") ? (long) s.integer("debug.noise_seed", 0) : null,
        s.has("tls.crl") ? s.path("tls.crl") : file.toAbsolutePath().getParent().resolve("crl.pem"),
        s.string("metrics.host", "127.0.0.1"),
        s.integer("metrics.port", 0));
  }
}
