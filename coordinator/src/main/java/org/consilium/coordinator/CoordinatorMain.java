package org.consilium.coordinator;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.consilium.coordinator.access.UserStore;
import org.consilium.coordinator.api.RestApi;
import org.consilium.coordinator.config.CoordinatorConfig;
import org.consilium.coordinator.api.NodeBudgets;
import org.consilium.coordinator.gateway.NodeGateway;
import org.consilium.coordinator.gateway.TrafficRecorder;
import org.consilium.coordinator.jobs.JobRunner;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.identity.CertificateExpiry;
import org.consilium.analytics.identity.Pem;
import org.consilium.coordinator.state.ClusterState;
import org.consilium.he.threshold.ThresholdPublicKey;
import org.consilium.he.codec.HeWire;
import org.consilium.he.wire.ThresholdKeyProto;
import java.nio.file.Files;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The coordinator program: cluster state, the node gateway, the job runner and the REST API. */
@Command(name = "consilium-coordinator", mixinStandardHelpOptions = true, version = "0.1.0",
    description = "Runs the Consilium coordinator.")
public final class CoordinatorMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(CoordinatorMain.class);

  @Option(names = {"-c", "--config"}, required = true, description = "the coordinator.yaml of the startup kit")
  Path config;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CoordinatorMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    CoordinatorConfig cfg;
    ThresholdPublicKey heKey = null;
    UserStore users;
    DataDictionary dictionary;
    org.consilium.coordinator.gateway.Trust trust;
    try {
      cfg = CoordinatorConfig.load(config, System.getenv());
      dictionary = DataDictionary.load(cfg.dictionary());
      trust = org.consilium.coordinator.gateway.Trust.load(cfg);
      CertificateExpiry.warnIfNear("the coordinator's certificate", Pem.certificate(cfg.certificate()));
      log.info("data dictionary version {} ({}): datasets {}", dictionary.version(), dictionary.digest().substring(0, 12),
          dictionary.datasets().keySet());
      users = Files.exists(cfg.console().usersFile()) ? UserStore.load(cfg.console().usersFile()) : new UserStore(java.util.List.of());
      if (cfg.hePublicKey() != null) {
        heKey = HeWire.fromWire(HeWire.parse(ThresholdKeyProto.parser(), Files.readAllBytes(cfg.hePublicKey()), "he.public_key"));
        log.info("threshold Paillier key {} ({} bits, {} of {})", heKey.encryptionKey().fingerprint(), heKey.encryptionKey().bits(),
            heKey.threshold(), heKey.parties());
      }
    } catch (RuntimeException | java.io.IOException e) {
      System.err.println("consilium-coordinator: " + e.getMessage());
      return 2;
    }
    ClusterState state = new ClusterState(cfg.clusterName(), cfg.clusterHost(), cfg.clusterPort(), cfg.clusterMembers(),
        cfg.stateDir(), cfg.clusterFailureSeconds());
    log.info("cluster state ready: {} member(s)", state.clusterSize());
    TrafficRecorder recorder = cfg.recordTraffic() == null ? null : new TrafficRecorder(cfg.recordTraffic());
    Vertx vertx = Vertx.vertx();
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CountDownLatch started = new CountDownLatch(1);
    Throwable[] failure = new Throwable[1];
    RestApi[] api = new RestApi[1];
    NodeGateway[] gateway = new NodeGateway[1];
    // Gateway, runner and API share one event-loop context: the runner is single-threaded by design.
    ThresholdPublicKey key = heKey;
    // Signed as the certificate's identity (every instance of one coordinator shares it); each instance keeps its own chain.
    String signer = org.consilium.analytics.identity.Participants.id(Pem.certificate(cfg.certificate()));
    AuditLog audit = AuditLog.open(cfg.auditLog(), signer, Pem.privateKey(cfg.privateKey()));
    audit.warnings().forEach(log::warn);
    audit.append("coordinator.started", "", "instance", cfg.id());
    var settled = org.consilium.coordinator.state.Restart.settle(state, audit);
    if (settled.nodesOffline() + settled.jobsFailed() > 0) {
      log.info("after the restart: {} node(s) offline until they reconnect, {} unresumable job(s) failed", settled.nodesOffline(),
          settled.jobsFailed());
    }
    vertx.runOnContext(v -> {
      gateway[0] = new NodeGateway(vertx, cfg, state, recorder, trust, audit);
      JobRunner runner = new JobRunner(vertx, state, gateway[0], cfg.roundTimeoutSeconds(), metrics, key, audit, dictionary);
      Gauge.builder("consilium_nodes_connected", () -> gateway[0].connectedNodes().size())
          .description("nodes connected to this coordinator instance now").register(metrics);
      java.security.cert.X509Certificate own = Pem.certificate(cfg.certificate());
      Gauge.builder("consilium_certificate_days_to_expiry", () -> CertificateExpiry.daysLeft(own, java.time.Instant.now()))
          .description("days until this coordinator's certificate expires (warned from " + CertificateExpiry.WARN_DAYS + ")")
          .register(metrics);
      Gauge.builder("consilium_node_certificate_days_to_expiry_min", () -> gateway[0].connectedCertificates().stream()
              .mapToDouble(c -> CertificateExpiry.daysLeft(c, java.time.Instant.now())).min().orElse(Double.NaN))
          .description("days until the soonest-expiring certificate of a connected node expires (the console names it)")
          .register(metrics);
      io.micrometer.core.instrument.FunctionCounter.builder("consilium_node_received_bytes_total", gateway[0], NodeGateway::receivedBytes)
          .description("bytes received from nodes by this instance (frames with their length prefix)").register(metrics);
      io.micrometer.core.instrument.FunctionCounter.builder("consilium_node_sent_bytes_total", gateway[0], NodeGateway::sentBytes)
          .description("bytes sent to nodes by this instance (frames with their length prefix)").register(metrics);
      new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(metrics);
      new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(metrics);
      new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(metrics);
      new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(metrics);
      new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(metrics);
      NodeBudgets.register(vertx, state, metrics);
      Gauge.builder("consilium_cluster_members", state::clusterSize)
          .description("coordinator instances in this instance's Hazelcast cluster (fewer than provisioned: one is down or cut off)")
          .register(metrics);
      var monitors = new org.consilium.coordinator.monitor.DriftMonitors(state, new org.consilium.coordinator.registry.ModelRegistry(state, runner::unstoredRecords));
      new org.consilium.coordinator.monitor.MonitorScheduler(vertx, monitors, runner, audit, metrics).start();
      api[0] = new RestApi(vertx, cfg, dictionary, state, runner, gateway[0], audit, metrics, users, monitors);
      Future.all(gateway[0].start(), api[0].start()).onComplete(r -> {
        if (r.failed()) failure[0] = r.cause();
        started.countDown();
        // Jobs whose instance is gone continue here: now, and whenever an instance leaves the cluster.
        io.vertx.core.Context context = vertx.getOrCreateContext();
        runner.adoptOrphans();
        state.onMemberLeft(() -> context.runOnContext(x -> runner.adoptOrphans()));
      });
    });
    if (!started.await(60, TimeUnit.SECONDS) || failure[0] != null) {
      System.err.println("consilium-coordinator: cannot start: " + (failure[0] == null ? "timeout" : failure[0].getMessage()));
      vertx.close();
      state.close();
      return 1;
    }
    // One line a launcher can wait for, with the actual ports (0 in the config means "any free port").
    System.out.println("CONSILIUM_COORDINATOR_READY nodes=" + gateway[0].actualPort() + " rest=" + api[0].actualPort());
    System.out.flush();
    log.info("coordinator {} ready: nodes on {}:{}, console on https://{}:{}/console/, REST on https://{}:{}/api/v1", cfg.id(),
        cfg.nodesHost(), gateway[0].actualPort(), cfg.restHost(), api[0].actualPort(), cfg.restHost(), api[0].actualPort());
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      vertx.close();
      state.close();
      stop.countDown();
    }));
    stop.await();
    return 0;
  }
}
