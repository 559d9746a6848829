package org.consilium.simulations.bench;

import com.google.protobuf.util.JsonFormat;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.consilium.analytics.wire.GroupStatistics;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.StatisticsResult;
import org.consilium.simulations.DefaultJob;
import org.consilium.simulations.HeartDisease;
import org.consilium.simulations.LocalConsortium;

/**
 * Harness (not a test): the default simulation's job, released N times by one four-hospital
 * consortium of real processes, each release checked as a user would read it: no negative count
 * or bin, bins adding up to their count, every DP value with its 95% interval, and whether each
 * interval holds the exact pooled value. Prints the counts of each.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.DefaultJobRepeats [runs] [epsilon]</pre>
 */
public final class DefaultJobRepeats {
  private DefaultJobRepeats() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    String epsilon = args.length > 1 ? args[1] : "1.0";
    Path dir = Files.createTempDirectory("consilium-repeats-");
    Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
    double cap = runs * Double.parseDouble(epsilon) + 1;
    HeartDisease.HOSPITALS.keySet().forEach(id -> nodes.put(id, Map.of("policy.epsilon_cap", Double.toString(cap))));
    int negative = 0;
    int inconsistent = 0;
    int withoutInterval = 0;
    int values = 0;
    int covered = 0;
    double meanAgeSd = 0;
    try (LocalConsortium c = LocalConsortium.start(new LocalConsortium.Options(dir, nodes, Map.of()))) {
      String spec = DefaultJob.spec(epsilon);
      StatisticsResult exact = DefaultJob.pooledExact(spec, c.datasets());
      for (int r = 0; r < runs; r++) {
        JsonObject job = c.awaitJob(c.submit(spec), Duration.ofMinutes(2));
        if (!"RELEASED".equals(job.getString("status"))) throw new IllegalStateException("run " + r + ": " + job.encode());
        JobResult.Builder b = JobResult.newBuilder();
        JsonFormat.parser().merge(job.getJsonObject("result").encode(), b);
        StatisticsResult dp = b.getStatistics();
        for (int g = 0; g < dp.getGroupsCount(); g++) {
          GroupStatistics d = dp.getGroups(g);
          GroupStatistics e = exact.getGroups(g);
          if (d.getCount() < 0 || d.getHistogramList().stream().anyMatch(x -> x < 0)) negative++;
          if (Math.abs(d.getHistogramList().stream().mapToDouble(Double::doubleValue).sum() - d.getCount()) > 1e-9) inconsistent++;
          if (!d.hasCountInterval() || !d.hasMeanInterval() || d.getHistogramIntervalsCount() != d.getHistogramCount()) withoutInterval++;
          values += 2 + d.getHistogramCount();
          if (inside(e.getCount(), d.getCountInterval())) covered++;
          if (inside(e.getMean(), d.getMeanInterval())) covered++;
          for (int k = 0; k < d.getHistogramCount(); k++) if (inside(e.getHistogram(k), d.getHistogramIntervals(k))) covered++;
          if (d.getLabel().equals("female")) meanAgeSd += (d.getMeanInterval().getHigh() - d.getMeanInterval().getLow()) / (2 * 1.96) / runs;
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d releases of the default job at epsilon %s (4 hospitals, t = 3):%n", runs, epsilon);
    System.out.printf(Locale.ROOT, "  groups with a negative count or bin: %d%n", negative);
    System.out.printf(Locale.ROOT, "  groups whose bins do not add up to their count: %d%n", inconsistent);
    System.out.printf(Locale.ROOT, "  groups with a value lacking its 95%% interval: %d%n", withoutInterval);
    System.out.printf(Locale.ROOT, "  intervals holding the exact pooled value: %d of %d (%.1f%%)%n", covered, values, 100.0 * covered / values);
    System.out.printf(Locale.ROOT, "  female mean age: noise sd about %.2f years (from the interval width)%n", meanAgeSd);
  }

  private static boolean inside(double v, org.consilium.analytics.wire.Interval i) {
    return i.getLow() <= v && v <= i.getHigh();
  }
}
