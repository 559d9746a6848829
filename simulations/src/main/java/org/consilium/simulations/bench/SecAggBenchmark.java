package org.consilium.simulations.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.consilium.analytics.codec.SecAggCodec;
import org.consilium.analytics.identity.Signatures;
import org.consilium.mpc.prg.MaskPrg;
import org.consilium.mpc.prg.MaskSeed;
import org.consilium.mpc.ring.RingVector;
import org.consilium.mpc.secagg.Ed25519Authenticator;
import org.consilium.mpc.secagg.Messages;
import org.consilium.mpc.secagg.PeerAuthenticator;
import org.consilium.mpc.secagg.SecAggParty;
import org.consilium.mpc.secagg.SecAggServer;
import org.consilium.mpc.secagg.SessionParams;

/**
 * Benchmark harness for secure aggregation (not a test): one full aggregation of L values among
 * n parties in this process, with per-party CPU time (thread CPU clock) and bytes sent (the
 * protobuf messages the node would put on the wire), beside two baselines measured in the same
 * run: generating the same number of PRG words alone (the bound: a party expands n streams of
 * L words) and a plaintext sum of n vectors. Also compares the two candidate mask PRGs.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.SecAggBenchmark [--quick] [--p256] [--plus] [n:L ...]</pre>
 *
 * <p>--p256 signs and verifies as the nodes do (their certificates' ECDSA P-256 keys); the default is Ed25519.
 * --plus runs SecAgg+ instead (k = 2 ceil(log2 n) neighbours per party) and shows a party's cost against log n.
 */
public final class SecAggBenchmark {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private SecAggBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<String> a = List.of(args);
    boolean quick = a.contains("--quick");
    boolean p256 = a.contains("--p256");
    boolean plus = a.contains("--plus");
    List<int[]> sizes = new ArrayList<>();
    for (String arg : a) {
      if (arg.matches("\\d+:\\d+")) sizes.add(new int[] {Integer.parseInt(arg.split(":")[0]), Integer.parseInt(arg.split(":")[1])});
    }
    if (plus) {
      plusScaling(sizes.isEmpty() ? List.of(new int[] {100, 10_000}, new int[] {200, 10_000}, new int[] {500, 10_000},
          new int[] {1000, 10_000}) : sizes, p256);
      return;
    }
    if (sizes.isEmpty()) {
      for (int n : quick ? new int[] {5} : new int[] {5, 10, 20}) {
        for (int l : quick ? new int[] {10_000, 100_000} : new int[] {10_000, 100_000, 1_000_000}) sizes.add(new int[] {n, l});
      }
    }
    System.out.printf(Locale.ROOT, "JVM %s (%s); signatures: %s%n%n", System.getProperty("java.version"), System.getProperty("java.vm.name"),
        p256 ? "ECDSA P-256 as the nodes sign (JDK) and verify (Bouncy Castle)" : "Ed25519");
    if (!quick) prgComparison();
    for (int w = 0; w < 5; w++) run(10, 100_000, p256, SessionParams.EVERYONE); // C2 compiles the protocol and the AES-CTR loop before any row is taken
    System.out.printf(Locale.ROOT, "%n%4s %9s | %14s %14s %14s | %10s %10s | %12s | %9s | %s%n", "n", "L", "party CPU ms", "PRG-only ms",
        "plain sum ms", "vs PRG", "vs plain", "bytes/party", "close ms", "party ms by round (advertise, shares, mask, unmask)");
    for (int[] size : sizes) {
      int n = size[0];
      int l = size[1];
      Result r = measured(4, n, l, p256, SessionParams.EVERYONE); // 4 warm-ups: the JIT (and the AES-CTR intrinsic) for this size
      System.out.printf(Locale.ROOT, "%4d %9d | %14.1f %14.1f %14.2f | %9.2fx %9.0fx | %12d | %9.1f | %s%n", n, l, r.partyCpuMs, r.prgMs,
          r.plainMs, r.partyCpuMs / r.prgMs, r.partyCpuMs / r.plainMs, r.bytesPerParty, r.closeMs, r.byRound);
    }
  }

  /**
   * SecAgg+ with k = 2 ceil(log2 n) neighbours (an illustration of k = O(log n); Bell et al. size k
   * for a corruption rate and failure probability, and the option takes any even k): a party's
   * CPU, and that CPU over log2 n, which stays flat if the cost grows as log n. The original
   * protocol is run beside it up to n = 200 (beyond, it takes minutes in one process).
   */
  private static void plusScaling(List<int[]> sizes, boolean p256) throws Exception {
    for (int w = 0; w < 3; w++) run(100, 10_000, p256, 14); // C2 compiles the protocol first
    System.out.printf(Locale.ROOT, "%n%5s %7s %4s | %12s %14s %12s | %12s | %9s | %s%n", "n", "L", "k", "party ms", "party ms/log2n",
        "everyone ms", "bytes/party", "close ms", "party ms by round (advertise, shares, mask, unmask)");
    for (int[] size : sizes) {
      int n = size[0];
      int l = size[1];
      int k = 2 * (int) Math.ceil(Math.log(n) / Math.log(2));
      Result r = measured(1, n, l, p256, k);
      String dense = n <= 200 ? String.format(Locale.ROOT, "%.1f", measured(1, n, l, p256, SessionParams.EVERYONE).partyCpuMs) : "-";
      System.out.printf(Locale.ROOT, "%5d %7d %4d | %12.1f %14.2f %12s | %12d | %9.1f | %s%n", n, l, k, r.partyCpuMs,
          r.partyCpuMs / (Math.log(n) / Math.log(2)), dense, r.bytesPerParty, r.closeMs, r.byRound);
    }
  }

  /** closeMs: the server's CPU for closing the unmasking round (reconstruction and mask removal). */
  private record Result(double partyCpuMs, double prgMs, double plainMs, long bytesPerParty, double closeMs, String byRound) {}

  /** A row: warm-up aggregations of this size, then the median of three. */
  private static Result measured(int warmups, int n, int l, boolean p256, int neighbours) throws Exception {
    for (int w = 0; w < warmups; w++) run(n, l, p256, neighbours);
    return median(List.of(run(n, l, p256, neighbours), run(n, l, p256, neighbours), run(n, l, p256, neighbours)));
  }

  /** Each figure's median over the runs (the per-round line is the median run's by party CPU). */
  private static Result median(List<Result> runs) {
    java.util.function.ToDoubleFunction<java.util.function.ToDoubleFunction<Result>> mid =
        f -> runs.stream().mapToDouble(f).sorted().toArray()[runs.size() / 2];
    Result byCpu = runs.stream().sorted(java.util.Comparator.comparingDouble(Result::partyCpuMs)).toList().get(runs.size() / 2);
    return new Result(mid.applyAsDouble(Result::partyCpuMs), mid.applyAsDouble(Result::prgMs), mid.applyAsDouble(Result::plainMs),
        byCpu.bytesPerParty(), mid.applyAsDouble(Result::closeMs), byCpu.byRound());
  }

  private static Result run(int n, int l, boolean p256, int neighbours) throws Exception {
    SecureRandom rng = new SecureRandom();
    TreeSet<Integer> ids = new TreeSet<>();
    for (int i = 1; i <= n; i++) ids.add(i);
    SessionParams params = new SessionParams("benchmark-session".getBytes(), ids, n / 2 + 1, l, neighbours);
    Map<Integer, KeyPair> identities = new HashMap<>();
    for (int i : ids) identities.put(i, p256 ? p256Identity() : Ed25519Authenticator.newIdentity());
    Map<Integer, SecAggParty> parties = new TreeMap<>();
    Map<Integer, RingVector> inputs = new HashMap<>();
    for (int i : ids) {
      long[] x = new long[l];
      for (int k = 0; k < l; k++) x[k] = rng.nextInt(1 << 20);
      inputs.put(i, RingVector.adopt(x));
      parties.put(i, new SecAggParty(params, i, inputs.get(i), authenticator(i, identities, p256), rng));
    }
    SecAggServer server = new SecAggServer(params, authenticator(ids.first(), identities, p256));
    long[] cpu = new long[n + 1];
    double[] roundMs = new double[4];
    long[] bytes = new long[n + 1];
    long before0 = java.util.Arrays.stream(cpu).sum();
    for (int i : ids) {
      var m = timed(cpu, i, () -> parties.get(i).advertise());
      bytes[i] += SecAggCodec.toWire(m).getSerializedSize();
      server.receive(m);
    }
    roundMs[0] = (java.util.Arrays.stream(cpu).sum() - before0) / 1e6 / n;
    server.closeAdvertiseKeys();
    long before1 = java.util.Arrays.stream(cpu).sum();
    for (int i : ids) {
      Messages.Roster mine = server.rosterFor(i);
      var m = timed(cpu, i, () -> parties.get(i).onRoster(mine));
      bytes[i] += SecAggCodec.toWire(m).getSerializedSize();
      server.receive(m);
    }
    roundMs[1] = (java.util.Arrays.stream(cpu).sum() - before1) / 1e6 / n;
    var routed = server.closeShareKeys();
    long before2 = java.util.Arrays.stream(cpu).sum();
    for (int i : ids) {
      var m = timed(cpu, i, () -> parties.get(i).onShares(routed.get(i)));
      bytes[i] += SecAggCodec.toWire(m).getSerializedSize();
      server.receive(m);
    }
    roundMs[2] = (java.util.Arrays.stream(cpu).sum() - before2) / 1e6 / n;
    var request = server.closeMaskedInput();
    long before3 = java.util.Arrays.stream(cpu).sum();
    for (int i : ids) {
      var m = timed(cpu, i, () -> parties.get(i).onUnmaskRequest(request));
      bytes[i] += SecAggCodec.toWire(m).getSerializedSize();
      server.receive(m);
    }
    roundMs[3] = (java.util.Arrays.stream(cpu).sum() - before3) / 1e6 / n;
    long close0 = CPU.getCurrentThreadCpuTime();
    RingVector sum = server.closeUnmasking().sum();
    double closeMs = (CPU.getCurrentThreadCpuTime() - close0) / 1e6;
    List<long[]> plain = new ArrayList<>();
    for (int i : ids) plain.add(inputs.get(i).toArray());
    long[] expected = new long[l];
    long t0 = CPU.getCurrentThreadCpuTime();
    for (long[] x : plain) {
      for (int k = 0; k < l; k++) expected[k] += x[k];
    }
    double plainMs = (CPU.getCurrentThreadCpuTime() - t0) / 1e6;
    if (!RingVector.adopt(expected).equals(sum)) throw new IllegalStateException("benchmark aggregation gave a wrong sum");

    // Baseline: the PRG words one party must generate (self mask + a pairwise mask per neighbour).
    long[] acc = new long[l];
    long c0 = CPU.getCurrentThreadCpuTime();
    for (int s = 0; s <= params.neighbourhood().of(1).size(); s++) MaskPrg.accumulate(MaskSeed.random(rng), acc, 1);
    double prgMs = (CPU.getCurrentThreadCpuTime() - c0) / 1e6;
    double meanCpu = 0;
    long meanBytes = 0;
    for (int i : ids) {
      meanCpu += cpu[i] / 1e6 / n;
      meanBytes += bytes[i] / n;
    }
    String byRound = String.format(Locale.ROOT, "%.2f, %.2f, %.2f, %.2f", roundMs[0], roundMs[1], roundMs[2], roundMs[3]);
    return new Result(meanCpu, prgMs, plainMs, meanBytes, closeMs, byRound);
  }

  private static <T> T timed(long[] cpu, int party, Supplier<T> step) {
    long c0 = CPU.getCurrentThreadCpuTime();
    T out = step.get();
    cpu[party] += CPU.getCurrentThreadCpuTime() - c0;
    return out;
  }

  private static PeerAuthenticator authenticator(int self, Map<Integer, KeyPair> ids, boolean p256) {
    Map<Integer, java.security.PublicKey> pub = new HashMap<>();
    ids.forEach((p, k) -> pub.put(p, k.getPublic()));
    if (!p256) return new Ed25519Authenticator(ids.get(self), pub);
    return new PeerAuthenticator() { // what a node does, with its certificate's key
      @Override
      public byte[] sign(byte[] message) {
        return Signatures.sign(ids.get(self).getPrivate(), message);
      }

      @Override
      public boolean verify(int party, byte[] message, byte[] signature) {
        return pub.containsKey(party) && Signatures.verify(pub.get(party), message, signature);
      }
    };
  }

  private static KeyPair p256Identity() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  /**
   * Keystream throughput of AES-256-CTR and ChaCha20 from the JDK, in 64 KiB calls as MaskPrg
   * makes them. Each is warmed up first: the JDK's AES-CTR intrinsic only runs once C2 has
   * compiled the cipher loop, and a cold measurement understates it by an order of magnitude.
   */
  private static void prgComparison() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    byte[] zeros = new byte[64 * 1024];
    byte[] out = new byte[64 * 1024];
    System.out.println("Mask PRG candidates (keystream in 64 KiB calls; cold = first 64 MiB, warm = best of 3 x 1 GiB after 2 GiB):");
    for (String alg : List.of("AES/CTR/NoPadding", "ChaCha20")) {
      Cipher c = Cipher.getInstance(alg);
      if (alg.equals("ChaCha20")) c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new ChaCha20ParameterSpec(new byte[12], 0));
      else c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
      double cold = gbps(c, zeros, out, 1024);
      gbps(c, zeros, out, 32 * 1024);
      double warm = 0;
      for (int rep = 0; rep < 3; rep++) warm = Math.max(warm, gbps(c, zeros, out, 16 * 1024));
      System.out.printf(Locale.ROOT, "  %-18s cold %5.2f GB/s   warm %5.2f GB/s%n", alg, cold, warm);
    }
  }

  private static double gbps(Cipher c, byte[] in, byte[] out, int calls) throws Exception {
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) c.update(in, 0, in.length, out, 0);
    return (double) calls * in.length / ((System.nanoTime() - t0) / 1e9) / 1e9;
  }
}
