package org.consilium.simulations.bench;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.paillier.PaillierPrivateKey;
import org.consilium.he.paillier.PaillierPublicKey;
import org.consilium.he.paillier.RandomnessPool;
import org.consilium.he.threshold.Dealer;
import org.consilium.he.threshold.PartialDecryption;

/**
 * Benchmark harness (not a test; it lives in test sources only because its baseline,
 * javallier, is a test-scoped dependency): Paillier encryption, addition, decryption and
 * threshold decryption at 2048 and 3072 bits, side by side with javallier 0.6.0 and the raw
 * BigInteger.modPow that bounds encryption, single thread, in one JVM.
 *
 * <pre>./mvnw -q -pl simulations -am test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.consilium.simulations.bench.PaillierBenchmark [key bits ...]</pre>
 *
 * Arguments: the key sizes to run (default 2048 3072; a 3072-bit threshold key takes about a
 * minute to deal).
 */
public final class PaillierBenchmark {
  private static final int WARM_UP_CALLS = 2000;

  private PaillierBenchmark() {}

  public static void main(String[] args) {
    SecureRandom rng = new SecureRandom();
    System.out.printf(Locale.ROOT, "JVM %s, single thread, ms per operation (lower is better)%n%n", System.getProperty("java.version"));
    int[] sizes = args.length == 0 ? new int[] {2048, 3072} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    for (int bits : sizes) {
      long t0 = System.nanoTime();
      Dealer.Dealt dealt = Dealer.deal(bits, 3, 2, rng);
      double dealSeconds = (System.nanoTime() - t0) / 1e9;
      PaillierPublicKey pk = dealt.publicKey().encryptionKey();
      PaillierPrivateKey crt = PaillierPrivateKey.generate(bits, rng);
      com.n1analytics.paillier.PaillierPrivateKey jsk = com.n1analytics.paillier.PaillierPrivateKey.create(bits);
      com.n1analytics.paillier.PaillierPublicKey jpk = jsk.getPublicKey();
      BigInteger n = pk.modulus();
      int reps = bits == 2048 ? 60 : 25;
      List<BigInteger> msgs = new ArrayList<>();
      for (int i = 0; i < reps; i++) msgs.add(new BigInteger(bits - 8, rng));

      double modPow = time(reps, i -> new BigInteger(bits, rng).mod(n).modPow(n, n.multiply(n)));
      double jEnc = time(reps, i -> jpk.raw_encrypt(msgs.get(i)));
      BigInteger jc = jpk.raw_encrypt(msgs.get(0));
      double jAdd = time(reps * 20, i -> jpk.raw_add(jc, jc));
      double jDec = time(reps, i -> jsk.raw_decrypt(jc));

      long tableStart = System.nanoTime();
      pk.randomness(rng).precompute(1); // the key's fixed-base table is built on its first use
      double table = (System.nanoTime() - tableStart) / 1e6;
      RandomnessPool pool = pk.randomness(rng);
      double precompute = time(1, i -> pool.precompute(reps)) / reps;
      pool.precompute(WARM_UP_CALLS + reps); // so that every timed encryption below finds its randomness ready
      double encOnline = time(reps, i -> pk.encrypt(msgs.get(i), pool));
      double encFull = time(reps, i -> pk.encrypt(msgs.get(i), pk.randomness(rng)));
      Ciphertext c = pk.encrypt(msgs.get(0), pool);
      double add = time(reps * 20, i -> pk.add(c, c));
      Ciphertext cc = crt.publicKey().encrypt(msgs.get(0), crt.publicKey().randomness(rng));
      double crtDec = time(reps, i -> crt.decrypt(cc));
      List<PartialDecryption> parts = new ArrayList<>();
      double partial = time(Math.max(reps / 4, 5), i -> parts.add(dealt.shares().get(i % 3).decrypt(c, rng))) ;
      PartialDecryption p1 = dealt.shares().get(0).decrypt(c, rng);
      PartialDecryption p2 = dealt.shares().get(1).decrypt(c, rng);
      double verify = time(Math.max(reps / 4, 5), i -> dealt.publicKey().verify(c, p1));
      double combine = time(Math.max(reps / 4, 5), i -> dealt.publicKey().combine(c, List.of(p1, p2)));
      // What the aggregation does: a vector's partial decryptions with one batch proof, per ciphertext.
      List<Ciphertext> vector = new ArrayList<>();
      for (int i = 0; i < 30; i++) vector.add(pk.encrypt(msgs.get(i % reps), pool));
      double batchPartial = time(2, i -> dealt.shares().get(i % 3).decrypt(vector, rng, () -> false)) / vector.size();
      PartialDecryption b1 = dealt.shares().get(0).decrypt(vector, rng, () -> false);
      PartialDecryption b2 = dealt.shares().get(1).decrypt(vector, rng, () -> false);
      double batchCombine = time(2, i -> dealt.publicKey().decryptVector(vector, List.of(b1, b2))) / vector.size();

      System.out.printf(Locale.ROOT, "%d-bit keys (threshold key dealt in %.1f s, safe primes included)%n", bits, dealSeconds);
      row("BigInteger.modPow(r, n, n^2)", modPow, jEnc);
      row("javallier raw_encrypt", jEnc, jEnc);
      row("consilium fixed-base table (once a key)", table, jEnc);
      row("consilium encrypt, randomness precomputed", encOnline, jEnc);
      row("consilium randomness precomputation", precompute, jEnc);
      row("consilium encrypt, randomness on demand", encFull, jEnc);
      System.out.printf(Locale.ROOT, "  encryption with fresh randomness: %.1fx javallier's throughput%n", jEnc / encFull);
      row("javallier raw_add", jAdd, jAdd);
      row("consilium add", add, jAdd);
      row("javallier raw_decrypt (CRT)", jDec, jDec);
      row("consilium CRT decrypt", crtDec, jDec);
      row("threshold: partial decryption + proof", partial, jDec);
      row("threshold: verify one proof", verify, jDec);
      row("threshold: verify 2 + combine", combine, jDec);
      row("threshold: partial decryption, 30-vector, per ct", batchPartial, jDec);
      row("threshold: verify 2 + combine, 30-vector, per ct", batchCombine, jDec);
      System.out.println();
    }
  }

  private static void row(String what, double ms, double baseline) {
    System.out.printf(Locale.ROOT, "  %-40s %10.3f ms   %8.2fx the javallier baseline%n", what, ms, ms / baseline);
  }

  /**
   * Mean milliseconds per call, after the operation has run for a second and a half or {@value
   * #WARM_UP_CALLS} calls (at least once): five warm-up calls left the table scans of fixed-base encryption interpreted while
   * javallier's modPow, a HotSpot intrinsic, was already compiled.
   */
  private static double time(int reps, IntConsumer op) {
    long warmUntil = System.nanoTime() + 1_500_000_000L;
    int warm = 0;
    do {
      op.accept(warm++ % reps);
    } while (System.nanoTime() < warmUntil && warm < WARM_UP_CALLS);
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) op.accept(i);
    return (System.nanoTime() - t0) / 1e6 / reps;
  }
}
