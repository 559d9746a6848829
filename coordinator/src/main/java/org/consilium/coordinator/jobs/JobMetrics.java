package org.consilium.coordinator.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;
import org.consilium.analytics.wire.JobStatus;
import org.consilium.analytics.wire.MessageType;

/** The job layer's Prometheus metrics, each with the help text an operator reads in the scrape. */
final class JobMetrics {
  private final MeterRegistry registry;

  JobMetrics(MeterRegistry registry, Supplier<Number> running) {
    this.registry = registry;
    Gauge.builder("consilium_jobs_running", running).description("jobs this coordinator instance drives now").register(registry);
  }

  void submitted() {
    Counter.builder("consilium_jobs_submitted_total").description("jobs submitted to this instance and offered to the nodes")
        .register(registry).increment();
  }

  void finished(JobStatus status) {
    Counter.builder("consilium_jobs_finished_total").description("jobs that ended on this instance, by final status")
        .tag("status", status.name()).register(registry).increment();
  }

  void frameReceived(MessageType type) {
    Counter.builder("consilium_frames_received_total").description("protocol frames received from nodes, by message type")
        .tag("type", type.name()).register(registry).increment();
  }
}
