package org.consilium.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.consilium.analytics.identity.CertificateExpiry;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.identity.NodeIdentity;
import org.consilium.node.ledger.PrivacyLedger;

/**
 * A node's Prometheus metrics, each with its help text: budget left per dataset, offers
 * accepted and refused, whether the coordinator link is up, days until the certificate expires,
 * and the JVM's. Served as text on {@code metrics.host:metrics.port} (off unless a port is set);
 * nothing in them is data: budgets and decisions are what the node already tells the consortium.
 */
public final class NodeMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public NodeMetrics(NodeConfig config, PrivacyLedger ledger, NodeIdentity identity, BooleanSupplier coordinatorConnected) {
    for (NodeConfig.DatasetConfig d : config.datasets().values()) {
      Gauge.builder("consilium_node_budget_remaining_epsilon", () -> Math.max(0, d.epsilonCap() - ledger.spent(d.name())))
          .description("epsilon this node may still spend on a dataset (its cap minus what its ledger has spent and reserved)")
          .tag("dataset", d.name()).register(registry);
    }
    Gauge.builder("consilium_node_coordinator_connected", () -> coordinatorConnected.getAsBoolean() ? 1 : 0)
        .description("1 while this node holds a link to a coordinator instance, else 0").register(registry);
    Gauge.builder("consilium_node_certificate_days_to_expiry", () -> CertificateExpiry.daysLeft(identity.certificate(), Instant.now()))
        .description("days until this node's certificate expires (warned from " + CertificateExpiry.WARN_DAYS + "; renew with consilium provision)")
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** An offer answered: accepted, or refused under a rule (policy, spec, budget, ...). */
  public void offer(boolean accepted, String rule) {
    Counter.builder("consilium_node_offers_total").description("job offers this node answered, by decision and the rule that refused")
        .tag("decision", accepted ? "accepted" : "refused").tag("rule", accepted ? "" : rule).register(registry).increment();
  }

  public String scrape() {
    return registry.scrape();
  }

  /** Serves GET /metrics in Prometheus text format; completes with the port it listens on. */
  public Future<HttpServer> serve(Vertx vertx, String host, int port) {
    return vertx.createHttpServer().requestHandler(req -> {
      if (!"/metrics".equals(req.path())) {
        req.response().setStatusCode(404).end("only /metrics here\n");
        return;
      }
      req.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(scrape());
    }).listen(port, host);
  }
}
