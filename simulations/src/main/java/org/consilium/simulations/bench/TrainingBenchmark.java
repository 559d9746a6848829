package org.consilium.simulations.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.consilium.simulations.DefaultJob;
import org.consilium.simulations.HeartDisease;
import org.consilium.simulations.LocalConsortium;

/**
 * Benchmark harness (not a test) for federated training, with real node processes on loopback:
 * (1) the four-hospital logistic regression, federated wall time against a pooled training of
 * the same model in this process; (2) a synthetic scale run, N nodes x R rows x F features,
 * reporting time per Newton round, bytes each node sends per round (from the coordinator's
 * traffic record) and peak memory per node process.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.TrainingBenchmark [nodes rows features]
 * java -cp ... TrainingBenchmark heart        (the four hospitals only)
 * java -cp ... TrainingBenchmark heart-paillier   (one four-hospital job with the threshold Paillier backend)
 * ... --c2   (the processes compile with C2 as deployed; the default is the tests' C1 only)</pre>
 */
public final class TrainingBenchmark {
  private TrainingBenchmark() {}

  public static void main(String[] given) throws Exception {
    // The processes compile as the tests run them (C1) unless --c2 asks for a deployment's JIT: with
    // twenty JVMs on two cores C2's compilations slow the masking runs down, while the Paillier job
    // gains 2.5x (BigInteger's Montgomery multiplication is an intrinsic only under C2).
    LocalConsortium.Jit jit = List.of(given).contains("--c2") ? LocalConsortium.Jit.DEPLOYMENT : LocalConsortium.Jit.TESTS;
    String[] args = java.util.Arrays.stream(given).filter(a -> !a.equals("--c2")).toArray(String[]::new);
    System.out.printf(Locale.ROOT, "processes' JIT: %s%n", jit);
    if (args.length > 0 && args[0].equals("heart-paillier")) {
      heartPaillier(Files.createTempDirectory("consilium-train-bench-"), jit);
      return;
    }
    boolean heartOnly = args.length > 0 && args[0].equals("heart");
    int nodes = args.length > 0 && !heartOnly ? Integer.parseInt(args[0]) : 20;
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
    int features = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    Path work = Files.createTempDirectory("consilium-train-bench-");
    System.out.printf(Locale.ROOT, "JVM %s, 2-core machine, work folder %s%n%n", System.getProperty("java.version"), work);
    heartDisease(work.resolve("heart"), jit);
    if (!heartOnly) synthetic(work.resolve("synthetic"), nodes, rows, features, jit);
  }

  private static Map<String, Map<String, String>> allowTraining(Iterable<String> ids) {
    Map<String, Map<String, String>> s = new HashMap<>();
    for (String id : ids) s.put(id, Map.of("policy.allow_exact_release", "true", "policy.allowed_computations", "[statistics, train]"));
    return s;
  }

  private static void heartDisease(Path work, LocalConsortium.Jit jit) throws Exception {
    String spec = DefaultJob.trainSpec("AGGREGATION_MASKING");
    try (LocalConsortium c = LocalConsortium.start(new LocalConsortium.Options(work, allowTraining(HeartDisease.HOSPITALS.keySet()),
        Map.of("rounds.timeout_seconds", "30")).with(jit))) {
      for (int i = 0; i < 10; i++) c.awaitJob(c.submit(spec), Duration.ofMinutes(5)); // warm-up: the JIT compiles the protocol
      long t0 = System.nanoTime();
      int reps = 5;
      JsonObject job = null;
      List<Double> stepMs = new java.util.ArrayList<>();
      Map<String, List<Double>> roundMs = new LinkedHashMap<>();
      for (int i = 0; i < reps; i++) {
        job = c.awaitJob(c.submit(spec), Duration.ofMinutes(5));
        stepMs.addAll(stepDurations(job));
        roundDurations(job).forEach((round, ms) -> roundMs.computeIfAbsent(round, r -> new java.util.ArrayList<>()).addAll(ms));
      }
      double federatedMs = (System.nanoTime() - t0) / 1e6 / reps;
      for (int i = 0; i < 3; i++) DefaultJob.pooledTraining(spec, c.datasets());
      long p0 = System.nanoTime();
      for (int i = 0; i < 20; i++) DefaultJob.pooledTraining(spec, c.datasets());
      double pooledMs = (System.nanoTime() - p0) / 1e6 / 20;
      int steps = job.getJsonArray("progress").size() + 3; // plus moments, evaluation and importance
      System.out.printf(Locale.ROOT, "Four hospitals, logistic regression (11 coefficients, %d Newton rounds):%n", steps - 3);
      System.out.printf(Locale.ROOT, "  federated (4 node processes, masking, mTLS loopback): %8.0f ms per job (%.0f ms per aggregation step)%n",
          federatedMs, federatedMs / steps);
      System.out.printf(Locale.ROOT, "  one aggregation step, from the coordinator's record (close of one step's last round to the next's):"
          + " median %.1f ms, min %.1f ms over %d steps%n", median(stepMs), stepMs.stream().mapToDouble(d -> d).min().orElse(0), stepMs.size());
      StringBuilder rounds = new StringBuilder();
      roundMs.forEach((round, ms) -> rounds.append(String.format(Locale.ROOT, " %s %.1f,", round, median(ms))));
      System.out.printf(Locale.ROOT, "  median ms per round (from the previous round's close to its own):%s%n", rounds.substring(0, rounds.length() - 1));
      System.out.printf(Locale.ROOT, "  pooled (same model, in process, includes reading the CSVs): %5.1f ms per fit%n", pooledMs);
      System.out.printf(Locale.ROOT, "  ratio federated / pooled: %.0fx%n%n", federatedMs / pooledMs);
    }
  }

  /** One closed round of a job's record: its step ("step 3 NEWTON"), its name ("share-keys") and when it closed. */
  private record ClosedRound(String step, String name, Instant at) {}

  private static List<ClosedRound> closedRounds(JsonObject job) {
    List<ClosedRound> out = new java.util.ArrayList<>();
    for (Object o : job.getJsonArray("rounds")) {
      JsonObject round = (JsonObject) o;
      String label = round.getString("round"); // "step 3 NEWTON: 1 share-keys"
      int colon = label.indexOf(':');
      out.add(new ClosedRound(colon < 0 ? label : label.substring(0, colon),
          colon < 0 ? label : label.substring(colon + 2).replaceAll("^\\d+ ", ""), Instant.parse(round.getString("closedAt"))));
    }
    return out;
  }

  /** Each step's duration after the first: from the close of the previous step's last round to the close of its own. */
  private static List<Double> stepDurations(JsonObject job) {
    Map<String, Instant> lastClose = new LinkedHashMap<>();
    for (ClosedRound r : closedRounds(job)) lastClose.put(r.step(), r.at());
    List<Instant> ends = List.copyOf(lastClose.values());
    List<Double> out = new java.util.ArrayList<>();
    for (int i = 1; i < ends.size(); i++) out.add(Duration.between(ends.get(i - 1), ends.get(i)).toNanos() / 1e6);
    return out;
  }

  /** Each step's name and when its last round closed, in seconds after the job's submission. */
  private static String timeline(JsonObject job, Instant submitted) {
    Map<String, Instant> lastClose = new LinkedHashMap<>();
    for (ClosedRound r : closedRounds(job)) lastClose.put(r.step().replace("step ", ""), r.at());
    return secondsAfter(lastClose, submitted);
  }

  /** The first step's rounds by name and when each closed, in seconds after the job's submission. */
  private static String firstStepRounds(JsonObject job, Instant submitted) {
    List<ClosedRound> rounds = closedRounds(job);
    Map<String, Instant> closes = new LinkedHashMap<>();
    for (ClosedRound r : rounds) if (r.step().equals(rounds.get(0).step())) closes.put(r.name(), r.at());
    return secondsAfter(closes, submitted);
  }

  /** " label seconds," for each entry, without the last comma. */
  private static String secondsAfter(Map<String, Instant> at, Instant start) {
    StringBuilder out = new StringBuilder();
    at.forEach((label, when) -> out.append(String.format(Locale.ROOT, " %s %.2f,", label, Duration.between(start, when).toMillis() / 1000.0)));
    return out.length() == 0 ? "" : out.substring(0, out.length() - 1);
  }

  /** Each round's duration (from the close of the round before it), by the round's name. */
  private static Map<String, List<Double>> roundDurations(JsonObject job) {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    List<ClosedRound> rounds = closedRounds(job);
    for (int i = 1; i < rounds.size(); i++) {
      out.computeIfAbsent(rounds.get(i).name(), n -> new java.util.ArrayList<>())
          .add(Duration.between(rounds.get(i - 1).at(), rounds.get(i).at()).toNanos() / 1e6);
    }
    return out;
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(d -> d).sorted().toArray();
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
  }

  /** The same job with the threshold Paillier backend, once: its wall time (every step encrypts, sums, decrypts with proofs). */
  private static void heartPaillier(Path work, LocalConsortium.Jit jit) throws Exception {
    String spec = DefaultJob.trainSpec("AGGREGATION_THRESHOLD_PAILLIER");
    try (LocalConsortium c = LocalConsortium.start(new LocalConsortium.Options(work, allowTraining(HeartDisease.HOSPITALS.keySet()),
        Map.of("rounds.timeout_seconds", "300")).with(jit))) {
      long t0 = System.nanoTime();
      JsonObject job = c.awaitJob(c.submit(spec), Duration.ofMinutes(30));
      double seconds = (System.nanoTime() - t0) / 1e9;
      int steps = job.getJsonArray("progress").size() + 3;
      System.out.printf(Locale.ROOT, "Four hospitals, logistic regression, threshold Paillier backend: %s in %.1f s (%.2f s per aggregation step)%n",
          job.getString("status"), seconds, seconds / steps);
    }
  }

  private static void synthetic(Path work, int nodes, int rows, int features, LocalConsortium.Jit jit) throws Exception {
    Map<String, Path> data = new LinkedHashMap<>();
    Random rng = new Random(1);
    double[] truth = new double[features];
    for (int j = 0; j < features; j++) truth[j] = rng.nextGaussian() * 0.3;
    Files.createDirectories(work.resolve("data"));
    StringBuilder header = new StringBuilder();
    for (int j = 0; j < features; j++) header.append("x").append(j).append(',');
    header.append("y");
    for (int n = 0; n < nodes; n++) {
      Path f = work.resolve("data/site-" + n + ".csv");
      try (BufferedWriter w = Files.newBufferedWriter(f)) {
        w.write(header.toString());
        w.newLine();
        StringBuilder line = new StringBuilder();
        for (int r = 0; r < rows; r++) {
          line.setLength(0);
          double eta = 0;
          for (int j = 0; j < features; j++) {
            double x = Math.round(rng.nextGaussian() * 1000) / 1000.0 + (n % 3) * 0.1;
            eta += truth[j] * x;
            line.append(x).append(',');
          }
          line.append(rng.nextDouble() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
          w.write(line.toString());
          w.newLine();
        }
      }
      data.put("site-" + n, f);
    }
    StringBuilder numeric = new StringBuilder();
    for (int j = 0; j < features; j++) numeric.append(j == 0 ? "" : ",").append('"').append('x').append(j).append('"');
    String spec = """
        {"specVersion": 1, "dataset": "synthetic", "privacy": {"epsilon": "Infinity"},
         "train": {"model": "LOGISTIC", "numericFeatures": [%s], "target": "y", "positiveAbove": 0.5,
                   "standardize": true, "l2": 1.0}}""".formatted(numeric);
    Map<String, Map<String, String>> settings = allowTraining(data.keySet());
    Map<String, Map<String, String>> withRows = new HashMap<>();
    settings.forEach((id, s) -> {
      Map<String, String> m = new HashMap<>(s);
      m.put("policy.min_cohort_size", "10");
      withRows.put(id, m);
    });
    Path traffic = work.resolve("traffic.bin");
    try (LocalConsortium c = LocalConsortium.start(new LocalConsortium.Options(work, withRows,
        Map.of("rounds.timeout_seconds", "120", "debug.record_traffic", "'" + traffic + "'"), "synthetic", data, 0,
        syntheticDictionary(features)).with(jit))) {
      Instant t0 = Instant.now();
      JsonObject job = c.awaitJob(c.submit(spec), Duration.ofMinutes(20));
      double seconds = Duration.between(t0, Instant.now()).toMillis() / 1000.0;
      if (!"RELEASED".equals(job.getString("status"))) throw new IllegalStateException("synthetic job " + job.encodePrettily());
      JsonArray progress = job.getJsonArray("progress");
      int steps = progress.size() + 3; // plus moments, evaluation and importance
      Map<String, Long> bytes = bytesPerNode(traffic);
      long meanBytes = bytes.values().stream().mapToLong(Long::longValue).sum() / Math.max(1, bytes.size());
      long peak = data.keySet().stream().mapToLong(c::peakMemoryMiB).max().orElse(-1);
      System.out.printf(Locale.ROOT, "Synthetic: %d nodes x %d rows x %d features (%d Newton rounds, all %d node JVMs on this machine):%n",
          nodes, rows, features, progress.size(), nodes);
      System.out.printf(Locale.ROOT, "  whole job %.1f s; %.2f s per aggregation step (moments, Newton rounds, evaluation, importance)%n", seconds,
          seconds / steps);
      System.out.printf(Locale.ROOT, "  bytes sent per node: %d in all, %d per step%n", meanBytes, meanBytes / steps);
      System.out.printf(Locale.ROOT, "  timeline (s from submission to each step's last round):%s%n", timeline(job, t0));
      System.out.printf(Locale.ROOT, "  the first step's rounds (s from submission):%s%n", firstStepRounds(job, t0));
      System.out.printf(Locale.ROOT, "  peak resident memory of the largest node process: %d MiB%n", peak);
      // The same job again: the node processes' code compiled, as in a deployment that has run a job before.
      Instant again = Instant.now();
      JsonObject second = c.awaitJob(c.submit(spec), Duration.ofMinutes(20));
      System.out.printf(Locale.ROOT, "  the same job again (processes warm): %s in %.1f s;%s%n", second.getString("status"),
          Duration.between(again, Instant.now()).toMillis() / 1000.0, timeline(second, again));
    }
  }

  /** The synthetic data's dictionary: features x0.. with generous public bounds, the 0/1 label y. */
  private static String syntheticDictionary(int features) {
    StringBuilder d = new StringBuilder("version: 1\ndatasets:\n  synthetic:\n    columns:\n");
    for (int j = 0; j < features; j++) d.append("      x").append(j).append(": {type: numeric, lower: -6, upper: 6}\n");
    d.append("      y: {type: categorical, codes: {0: negative, 1: positive}}\n");
    return d.toString();
  }

  /** Sums, per node, the bytes the coordinator recorded receiving from it. */
  private static Map<String, Long> bytesPerNode(Path traffic) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(traffic));
    Map<String, Long> out = new HashMap<>();
    while (b.remaining() >= 8) {
      byte[] id = new byte[b.getInt()];
      b.get(id);
      int len = b.getInt();
      b.position(b.position() + len);
      out.merge(new String(id, StandardCharsets.UTF_8), (long) len, Long::sum);
    }
    return out;
  }

}
