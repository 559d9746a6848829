package org.consilium.simulations.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.consilium.mpc.arith.ArithmeticRun;
import org.consilium.mpc.arith.BgwMessage;
import org.consilium.mpc.arith.Protocols;
import org.consilium.mpc.arith.SharedVector;
import org.consilium.mpc.field.PrimeField;
import org.consilium.mpc.sharing.Shamir;
import org.consilium.mpc.sharing.ShamirShare;

/**
 * Benchmark harness (not a test): BGW multiplications per second per party for n = 3 and 5
 * (t = 2 and 3), a batch of L products in one round, beside plaintext field multiplications
 * measured in the same run. CPU time is per party (what one node spends); messages are passed
 * in memory, so network latency is not included.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.BgwBenchmark</pre>
 */
public final class BgwBenchmark {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private BgwBenchmark() {}

  public static void main(String[] args) {
    System.out.printf(Locale.ROOT, "JVM %s%n%n%3s %3s %9s | %16s %16s | %10s | %14s%n", System.getProperty("java.version"), "n", "t",
        "L", "party mult/s", "plain mult/s", "ratio", "bytes/party");
    for (int[] nt : new int[][] {{3, 2}, {5, 3}, {5, 2}}) {
      for (int l : new int[] {10_000, 100_000}) {
        run(nt[0], nt[1], l);
        run(nt[0], nt[1], l); // warm-up, then measure
        double[] r = run(nt[0], nt[1], l);
        System.out.printf(Locale.ROOT, "%3d %3d %9d | %16.3g %16.3g | %9.0fx | %14.0f%n", nt[0], nt[1], l, r[0], r[1], r[1] / r[0], r[2]);
      }
    }
  }

  /** Returns {party multiplications per second, plaintext multiplications per second, bytes per party}. */
  private static double[] run(int n, int t, int l) {
    SecureRandom rng = new SecureRandom();
    SortedSet<Integer> parties = new TreeSet<>();
    for (int i = 1; i <= n; i++) parties.add(i);
    long[] a = new long[l];
    long[] b = new long[l];
    for (int i = 0; i < l; i++) {
      a[i] = PrimeField.random(rng);
      b[i] = PrimeField.random(rng);
    }
    List<ShamirShare> sa = new Shamir(t, n).split(a, rng);
    List<ShamirShare> sb = new Shamir(t, n).split(b, rng);
    Map<Integer, ArithmeticRun> runs = new TreeMap<>();
    long[] cpu = new long[n + 1];
    long bytes = 0;
    List<BgwMessage> flight = new ArrayList<>();
    for (int p : parties) {
      long c0 = CPU.getCurrentThreadCpuTime();
      ArithmeticRun r = new ArithmeticRun(p, parties, t, rng, Protocols.multiply(SharedVector.of(p, sa.get(p - 1).values()),
          SharedVector.of(p, sb.get(p - 1).values())));
      flight.addAll(r.start());
      cpu[p] += CPU.getCurrentThreadCpuTime() - c0;
      runs.put(p, r);
    }
    for (BgwMessage m : flight) {
      long c0 = CPU.getCurrentThreadCpuTime();
      runs.get(m.to()).receive(m);
      cpu[m.to()] += CPU.getCurrentThreadCpuTime() - c0;
      if (m.from() != m.to()) bytes += 8L * m.values().length;
    }
    for (int p : parties) {
      long c0 = CPU.getCurrentThreadCpuTime();
      runs.get(p).close(parties);
      cpu[p] += CPU.getCurrentThreadCpuTime() - c0;
    }
    long[] c = new long[l];
    long c0 = CPU.getCurrentThreadCpuTime();
    for (int i = 0; i < l; i++) c[i] = PrimeField.mul(a[i], b[i]);
    double plainSeconds = Math.max(CPU.getCurrentThreadCpuTime() - c0, 1) / 1e9;
    if (c[l - 1] == -1) throw new IllegalStateException(); // keep the loop alive
    double partySeconds = 0;
    for (int p : parties) partySeconds += cpu[p] / 1e9 / n;
    return new double[] {l / partySeconds, l / plainSeconds, (double) bytes / n};
  }
}
