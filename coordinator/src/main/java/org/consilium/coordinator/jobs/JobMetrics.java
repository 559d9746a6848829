package org.consilium.coordinator.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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

  /** A protocol round closed: its latency (a histogram), and the parties it went on without. */
  void roundClosed(long nanos, int missing) {
    Timer.builder("consilium_round_duration_seconds").description("time from a job's previous round (or its offer) to a round's close")
        .publishPercentileHistogram().register(registry).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    if (missing > 0) {
      Counter.builder("consilium_round_dropouts_total").description("participants a round closed without (late, disconnected or refusing)")
          .register(registry).increment(missing);
    }
  }

  void frameReceived(MessageType type) {
    Counter.builder("consilium_frames_received_total").description("protocol frames received from nodes, by message type")
        .tag("type", type.name()).register(registry).increment();
  }
}
