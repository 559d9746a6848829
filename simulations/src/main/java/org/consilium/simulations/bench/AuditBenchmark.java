package org.consilium.simulations.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.consilium.analytics.audit.AuditLog;

/**
 * Benchmark harness (not a test) for the audit trail's group commit, on this machine's disk:
 * what the appending thread (an event loop) pays per entry with a blocking append (sign, write,
 * fsync) against a submit (sign and queue; the writer thread forces), and the wall time per
 * entry when several jobs' steps audit at once, each waiting for its entry (a job's frames wait
 * for it) with one fsync per entry against group commit. Baselines run in the same process;
 * min/median of the runs.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.AuditBenchmark [entries] [jobs] [runs]</pre>
 */
public final class AuditBenchmark {
  private AuditBenchmark() {}

  public static void main(String[] args) throws Exception {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    PrivateKey key = g.generateKeyPair().getPrivate();
    Path dir = Files.createTempDirectory("consilium-audit-bench-");
    System.out.printf(Locale.ROOT, "JVM %s; %d entries; %d concurrent jobs; %d runs (min / median ms per entry)%n",
        System.getProperty("java.version"), entries, jobs, runs);
    double[][] r = new double[4][runs];
    for (int run = 0; run < runs; run++) {
      r[0][run] = callerAppend(dir.resolve("a" + run), key, entries);
      r[1][run] = callerSubmit(dir.resolve("b" + run), key, entries);
      r[2][run] = concurrent(dir.resolve("c" + run), key, entries, jobs, false);
      r[3][run] = concurrent(dir.resolve("d" + run), key, entries, jobs, true);
    }
    String[] names = {"caller's cost, blocking append (sign + fsync)", "caller's cost, submit (chain; sign + fsync on the writer)",
        jobs + " jobs each waiting for its entry, blocking append", jobs + " jobs each waiting for its entry, group commit"};
    for (int i = 0; i < 4; i++) {
      Arrays.sort(r[i]);
      System.out.printf(Locale.ROOT, "%-58s %7.3f / %7.3f%n", names[i], r[i][0], r[i][runs / 2]);
    }
    System.out.printf(Locale.ROOT, "ratios (median): caller %.1fx less with submit; concurrent wall %.1fx less with group commit%n",
        r[0][runs / 2] / r[1][runs / 2], r[2][runs / 2] / r[3][runs / 2]);
  }

  /** Milliseconds the appending thread spends per entry with blocking appends. */
  private static double callerAppend(Path f, PrivateKey key, int n) {
    try (AuditLog log = AuditLog.open(f, "bench", key)) {
      long t = System.nanoTime();
      for (int i = 0; i < n; i++) log.append("step.closed", "job-1", "step", Integer.toString(i));
      return (System.nanoTime() - t) / 1e6 / n;
    }
  }

  /** Milliseconds the submitting thread spends per entry (the writer forces meanwhile). */
  private static double callerSubmit(Path f, PrivateKey key, int n) {
    try (AuditLog log = AuditLog.open(f, "bench", key)) {
      long t = System.nanoTime();
      for (int i = 0; i < n; i++) log.submit("step.closed", "job-1", "step", Integer.toString(i));
      double caller = (System.nanoTime() - t) / 1e6 / n;
      log.flushed().join();
      return caller;
    }
  }

  /** Wall milliseconds per entry when jobs threads each audit a step and wait for it before their next. */
  private static double concurrent(Path f, PrivateKey key, int n, int jobs, boolean group) throws Exception {
    Object oneAtATime = new Object();
    try (AuditLog log = AuditLog.open(f, "bench", key)) {
      List<Thread> threads = new ArrayList<>();
      long t = System.nanoTime();
      for (int j = 0; j < jobs; j++) {
        String job = "job-" + j;
        Thread th = new Thread(() -> {
          for (int i = 0; i < n / jobs; i++) {
            if (group) {
              CompletableFuture<?> done = log.submit("step.closed", job, "step", Integer.toString(i));
              done.join();
            } else {
              synchronized (oneAtATime) { // the old path: each entry signed, written and forced alone
                log.append("step.closed", job, "step", Integer.toString(i));
              }
            }
          }
        });
        th.start();
        threads.add(th);
      }
      for (Thread th : threads) th.join();
      return (System.nanoTime() - t) / 1e6 / n;
    }
  }
}
