package org.consilium.node;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.dictionary.DataDictionary;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.consilium.analytics.data.CsvLoader;
import org.consilium.analytics.data.Dataset;
import org.consilium.he.threshold.KeyShare;
import org.consilium.he.codec.HeWire;
import org.consilium.he.wire.KeyShareProto;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.data.DatasetLoader;
import org.consilium.node.identity.NodeIdentity;
import org.consilium.analytics.identity.CertificateExpiry;
import org.consilium.analytics.identity.Pem;
import org.consilium.node.ledger.PrivacyLedger;
import org.consilium.node.metrics.NodeMetrics;
import org.consilium.node.net.CoordinatorLink;
import org.consilium.node.session.NodeAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The node program: loads its data, policy and ledger, then dials the coordinator and waits for work. */
@Command(name = "consilium-node", mixinStandardHelpOptions = true, version = NodeAgent.SOFTWARE_VERSION,
    description = "Runs a Consilium node beside one organisation's data.")
public final class NodeMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(NodeMain.class);

  @Option(names = {"-c", "--config"}, required = true, description = "the node.yaml of this node's startup kit")
  Path config;

  @Option(names = "--check", description = "load config, keys and datasets, print the effective configuration, policy and budgets, "
      + "try the coordinator (TLS handshake and membership; nothing else is sent), and exit (0 when the kit is usable, whether or not "
      + "the coordinator answered)")
  boolean check;

  public static void main(String[] args) {
    System.exit(new CommandLine(new NodeMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    NodeConfig cfg;
    Map<String, Dataset> datasets = new LinkedHashMap<>();
    NodeIdentity identity;
    KeyShare keyShare = null;
    DataDictionary dictionary;
    try {
      cfg = NodeConfig.load(config, System.getenv());
      identity = NodeIdentity.fromKit(cfg);
      CertificateExpiry.warnIfNear("this node's certificate", identity.certificate());
      if (cfg.heKeyShare() != null) {
        keyShare = HeWire.fromWire(HeWire.parse(KeyShareProto.parser(), Files.readAllBytes(cfg.heKeyShare()),
            "key share " + cfg.heKeyShare()));
        log.info("threshold Paillier key share {} of {} loaded (key {})", keyShare.party(), keyShare.publicKey().parties(),
            keyShare.publicKey().encryptionKey().fingerprint());
        // The key's fixed-base randomness table (a few hundred ms) is built now, not in the first job's encryption.
        keyShare.publicKey().encryptionKey().randomness(new java.security.SecureRandom()).precompute(1);
      }
      dictionary = DataDictionary.load(cfg.dictionary());
      for (NodeConfig.DatasetConfig d : cfg.datasets().values()) {
        Dataset loaded = DatasetLoader.load(d.name(), d.source(), d.badRows(), d.maxRows(), dictionary.dataset(d.name()).textCells());
        Dataset data = dictionary.conform(d.name(), loaded);
        List<String> undeclared = loaded.columns().stream().filter(c -> !data.columns().contains(c)).toList();
        if (!undeclared.isEmpty()) log.warn("dataset {}: columns {} are not in the data dictionary; no job can use them", d.name(), undeclared);
        dictionary.dataset(d.name()).outOfBounds(data).forEach((c, n) ->
            log.info("dataset {}: {} values of '{}' lie outside the dictionary's bounds and are clipped by every mechanism", d.name(), n, c));
        data.skippedRows().forEach(e -> log.warn("dataset {}: skipped {}", d.name(), e));
        log.info("dataset {}: {} rows from {} ({} skipped)", d.name(), data.rowCount(), d.source().describe(), data.skippedRows().size());
        datasets.put(d.name(), data);
      }
    } catch (RuntimeException | IOException e) {
      System.err.println("consilium-node: " + e.getMessage());
      return 2;
    } catch (ExceptionInInitializerError e) { // a native library the key share needs (GMP) did not load
      System.err.println("consilium-node: " + (e.getCause() != null ? e.getCause().getMessage() : e));
      return 2;
    }
    PrivacyLedger ledger;
    try {
      ledger = PrivacyLedger.open(cfg.ledger(), Pem.privateKey(cfg.privateKey()));
    } catch (RuntimeException e) {
      System.err.println("consilium-node: " + e.getMessage());
      return 2;
    }
    ledger.warnings().forEach(log::warn);
    AuditLog audit = AuditLog.open(cfg.auditLog(), cfg.nodeId(), Pem.privateKey(cfg.privateKey()));
    audit.warnings().forEach(log::warn);
    // The signed audit log names every job this node accepted: a ledger missing one was cut.
    List<String> accepted = org.consilium.analytics.audit.AuditVerifier.verify(audit.lines(), identity.certificate(), Pem.certificate(cfg.ca()))
        .entries().stream().filter(e -> e.getEvent().equals("job.accepted")).map(e -> e.getJobId()).toList();
    List<String> missing = ledger.missingFrom(accepted);
    if (!missing.isEmpty()) {
      System.err.println("consilium-node: the privacy ledger " + cfg.ledger() + " lacks the reservations of jobs " + missing
          + " that the signed audit log says this node accepted: the ledger was cut; the node refuses to start");
      return 2;
    }
    if (check) {
      for (NodeConfig.DatasetConfig d : cfg.datasets().values()) {
        System.out.println("dataset " + d.name() + ": " + datasets.get(d.name()).rowCount() + " rows, " + datasets.get(d.name()).skippedRows().size()
            + " skipped (" + (d.source() instanceof org.consilium.node.data.DataSource.CsvFile f ? "delimiter '" + f.format().delimiter()
            + "', decimal '" + f.format().decimal() + "', " + f.format().charset().name() : d.source().describe()) + ")");
      }
      System.out.println("effective configuration (" + config + "):");
      NodeConfig.describe(config, System.getenv()).forEach(l -> System.out.println("  " + l));
      NodeConfig.PolicyConfig p = cfg.policy();
      System.out.println("policy: computations " + p.allowedComputations() + ", columns " + (p.allowedColumns().isEmpty() ? "all"
          : p.allowedColumns()) + ", cohorts of at least " + p.minCohortSize() + " rows, jobs of at least " + p.minParties() + " sites, "
          + (p.allowExactRelease() ? "exact releases allowed" : "DP releases only"));
      for (NodeConfig.DatasetConfig d : cfg.datasets().values()) {
        System.out.println("budget " + d.name() + ": cap " + d.epsilonCap() + ", spent " + ledger.spent(d.name()) + ", left "
            + Math.max(0, d.epsilonCap() - ledger.spent(d.name())));
      }
      System.out.println("certificate: '" + cfg.nodeId() + "', expires in " + CertificateExpiry.daysLeft(identity.certificate(), java.time.Instant.now())
          + " days; revocation list: " + identity.revocations().current().map(l -> "number " + l.number() + ", " + l.size()
              + " revoked, issued " + l.issuedAt()).orElse("none yet (" + cfg.revocationList() + ")"));
      org.consilium.node.net.ConnectivityCheck.run(cfg, identity.revocations()).lines().forEach(System.out::println);
      System.out.println("node " + cfg.nodeId() + ": configuration, identity, data dictionary version " + dictionary.version()
          + ", privacy ledger (" + ledger.entries().size() + " entries, consistent with the audit log) and " + datasets.size()
          + " dataset(s) OK");
      return 0;
    }
    Vertx vertx = Vertx.vertx();
    for (PrivacyLedger.Entry refund : ledger.refundUnsent()) {
      log.info("job {}: refunded {} on {}: the node stopped after reserving and before any of its data left", refund.job(),
          refund.epsilon(), refund.dataset());
      audit.append("job.refunded", refund.job(), "reason", "the node restarted before any data-dependent message left",
          "epsilon", Double.toString(refund.epsilon()));
    }
    if (cfg.noiseSeed() != null) {
      log.warn("debug.noise_seed is set: this node's DP noise is predictable and protects nothing; for tests only");
    }
    audit.append("node.started", "", "datasets", String.join(",", datasets.keySet()));
    NodeAgent agent = new NodeAgent(cfg, identity, dictionary, datasets, ledger, keyShare, audit);
    CoordinatorLink[] link = new CoordinatorLink[1];
    if (cfg.metricsPort() > 0) {
      NodeMetrics metrics = new NodeMetrics(cfg, ledger, identity, () -> link[0] != null && link[0].connected());
      agent.onDecision(metrics::offer);
      metrics.serve(vertx, cfg.metricsHost(), cfg.metricsPort())
          .onSuccess(s -> log.info("metrics on http://{}:{}/metrics", cfg.metricsHost(), s.actualPort()))
          .onFailure(e -> log.error("metrics not served on {}:{}: {}", cfg.metricsHost(), cfg.metricsPort(), e.getMessage()));
    }
    // The agent is not thread-safe: run it on one event-loop context.
    CountDownLatch stop = new CountDownLatch(1);
    vertx.runOnContext(v -> {
      link[0] = new CoordinatorLink(vertx, cfg, agent, identity.revocations());
      link[0].start();
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (link[0] != null) link[0].stop();
      vertx.close();
      ledger.close();
      stop.countDown();
    }));
    log.info("node {} started; coordinator {}:{}", cfg.nodeId(), cfg.coordinatorHost(), cfg.coordinatorPort());
    stop.await();
    return 0;
  }
}
