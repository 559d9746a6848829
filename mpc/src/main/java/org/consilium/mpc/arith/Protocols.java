package org.consilium.mpc.arith;

import static org.consilium.mpc.field.PrimeField.add;
import static org.consilium.mpc.field.PrimeField.inv;
import static org.consilium.mpc.field.PrimeField.mul;
import static org.consilium.mpc.field.PrimeField.sub;

import org.consilium.mpc.field.PrimeField;

/**
 * Arithmetic on Shamir shares over GF(p), p = 2^61 - 1, for honest-majority semi-honest
 * parties, without a dealer. Every protocol is vectorised: it works element-wise on a
 * {@link SharedVector}, with the same number of rounds whatever the length.
 *
 * <ul>
 *   <li>{@link #multiply}: local products (degree 2d), then resharing and Lagrange recombination
 *       (Gennaro, Rabin, Rabin 1998): 1 round.
 *   <li>{@link #innerProduct}: the sum of products before one resharing: 1 round.
 *   <li>{@link #randomBits}: shared uniform bits from a jointly dealt random r and the public
 *       r^2 (Damgard et al. 2006): 3 rounds.
 *   <li>{@link #truncate}: probabilistic truncation by m bits, error at most one unit in the last
 *       place (Catrina, Saxena 2010): 5 rounds.
 *   <li>{@link #lessThanZero}: exact sign of k-bit signed values through Mod2m with a bitwise
 *       comparison against a public value (Catrina, de Hoogh 2010), linear prefix-OR: k + 4 rounds.
 *   <li>{@link #clip} and {@link #sigmoid}: built from the above.
 * </ul>
 *
 * <p>Statistical hiding: the masks that hide a k-bit value when it is opened are k + kappa bits
 * with kappa = 60 - k - ceil(log2 n); the 61-bit field bounds kappa (k = 32 and n = 5 give
 * kappa = 25). Inputs must be k-bit signed values: |x| < 2^(k-1).
 */
public final class Protocols {
  private static final long HALF = inv(2);

  private Protocols() {}

  /** Signed integers to field elements and back (negative values wrap to p - |v|). */
  public static long encode(long v) {
    if (Math.abs(v) >= PrimeField.P / 2) throw new IllegalArgumentException("value " + v + " does not fit the field");
    return v >= 0 ? v : PrimeField.P + v;
  }

  public static long decode(long e) {
    return e > PrimeField.P / 2 ? e - PrimeField.P : e;
  }

  /** Shares of public values as a party holds them (a constant polynomial): no communication. */
  public static SharedVector constant(int party, long[] signedValues) {
    long[] v = new long[signedValues.length];
    for (int i = 0; i < v.length; i++) v[i] = encode(signedValues[i]);
    return new SharedVector(party, v);
  }

  /** Local: a + b. */
  public static SharedVector plus(SharedVector a, SharedVector b) {
    requireSameLength(a, b);
    long[] out = new long[a.length()];
    for (int i = 0; i < out.length; i++) out[i] = PrimeField.add(a.raw()[i], b.raw()[i]);
    return new SharedVector(a.party(), out);
  }

  /** Element-wise product: 1 round. */
  public static Protocol multiply(SharedVector a, SharedVector b) {
    requireSameLength(a, b);
    return new Protocol(mulStep(a.raw(), b.raw()));
  }

  /**
   * Fixed-point product: x * y / 2^f with f fractional bits, rounded up or down at random
   * (error at most one unit in the last place); the exact product must be k-bit signed.
   */
  public static Protocol multiplyFixed(SharedVector x, SharedVector y, int f, int k, int parties) {
    requireSameLength(x, y);
    checkWidth(k, f, parties);
    return new Protocol(Step.then(mulStep(x.raw(), y.raw()), z -> truncStep(z, k, f, parties)));
  }

  /** The inner product of two shared vectors, as a shared vector of length 1: 1 round. */
  public static Protocol innerProduct(SharedVector a, SharedVector b) {
    requireSameLength(a, b);
    long acc = 0;
    for (int i = 0; i < a.length(); i++) acc = PrimeField.add(acc, mul(a.raw()[i], b.raw()[i]));
    return new Protocol(Step.round(new Step.Reshare(new long[] {acc}), Step::done));
  }

  /** Reveals the values to every party: 1 round. The result holds the public values. */
  public static Protocol open(SharedVector a) {
    return new Protocol(Step.round(new Step.Open(a.raw().clone()), Step::done));
  }

  /** Shares of uniformly random bits: 3 rounds. */
  public static Protocol randomBits(int count) {
    return new Protocol(bits(count));
  }

  /** x / 2^m rounded up or down at random (error at most 1): x must be k-bit signed. */
  public static Protocol truncate(SharedVector x, int k, int m, int parties) {
    checkWidth(k, m, parties);
    return new Protocol(truncStep(x.raw(), k, m, parties));
  }

  /** Shares of 1 where x < 0 and 0 elsewhere, exactly; x must be k-bit signed. */
  public static Protocol lessThanZero(SharedVector x, int k, int parties) {
    checkWidth(k, k - 1, parties);
    return new Protocol(ltzStep(x.raw(), k, parties));
  }

  /** min(max(x, lo), hi) element-wise, with public bounds; x, lo, hi and the differences k-bit signed. */
  public static Protocol clip(SharedVector x, long lo, long hi, int k, int parties) {
    if (lo > hi) throw new IllegalArgumentException("clip bounds reversed: " + lo + " > " + hi);
    checkWidth(k, k - 1, parties);
    return new Protocol(clipStep(x.raw(), encode(lo), encode(hi), k, parties));
  }

  /**
   * The piecewise-linear sigmoid min(max(x/4 + 1/2, 0), 1) on fixed-point values with f
   * fractional bits (the "hard sigmoid" used for logistic regression on shares).
   */
  public static Protocol sigmoid(SharedVector x, int f, int k, int parties) {
    checkWidth(k, k - 1, parties);
    long half = encode(1L << (f - 1));
    Step s = Step.then(truncStep(x.raw(), k, 2, parties), quarter -> {
      long[] y = new long[quarter.length];
      for (int i = 0; i < y.length; i++) y[i] = PrimeField.add(quarter[i], half);
      return clipStep(y, 0, encode(1L << f), k, parties);
    });
    return new Protocol(s);
  }

  private static void checkWidth(int k, int m, int parties) {
    if (k < 2 || m < 1 || m >= k) throw new IllegalArgumentException("need 1 <= m < k, got k=" + k + " m=" + m);
    if (kappa(k, parties) < 16) {
      throw new IllegalArgumentException("k=" + k + " leaves only " + kappa(k, parties)
          + " bits of statistical hiding in GF(2^61-1) with " + parties + " parties; use k <= " + (44 - log2(parties)));
    }
  }

  /** Bits of statistical hiding for k-bit values among n parties. */
  public static int kappa(int k, int parties) {
    return 60 - k - log2(parties);
  }

  private static int log2(int n) {
    return 32 - Integer.numberOfLeadingZeros(Math.max(n - 1, 1));
  }

  private static void requireSameLength(SharedVector a, SharedVector b) {
    if (a.length() != b.length()) throw new IllegalArgumentException("lengths differ: " + a.length() + " vs " + b.length());
    if (a.party() != b.party()) throw new IllegalArgumentException("shares of different parties: " + a.party() + " and " + b.party());
  }

  private static Step mulStep(long[] a, long[] b) {
    long[] p = new long[a.length];
    for (int i = 0; i < p.length; i++) p[i] = mul(a[i], b[i]);
    return Step.round(new Step.Reshare(p), Step::done);
  }

  private static Step bits(int count) {
    return Step.round(new Step.Deal(count, 0), r -> Step.then(mulStep(r, r), squares ->
        Step.round(new Step.Open(squares), opened -> {
          long[] b = new long[count];
          for (int i = 0; i < count; i++) {
            if (opened[i] == 0) throw new ArithmeticException("random bit generation drew zero (probability 2^-61); run it again");
            // r / sqrt(r^2) is +1 or -1 with equal probability; p = 3 mod 4 gives sqrt(s) = s^((p+1)/4).
            long root = PrimeField.pow(opened[i], (PrimeField.P + 1) / 4);
            b[i] = mul(add(mul(r[i], inv(root)), 1), HALF);
          }
          return Step.done(b);
        })));
  }

  /** Opens c = 2^(k-1) + x + 2^m r'' + r' and hands (c, bits of r', r') to the continuation. */
  private interface Masked {
    Step apply(long[] c, long[] bits, long[] rPrime);
  }

  private static Step maskedOpen(long[] x, int k, int m, int parties, Masked next) {
    int n = x.length;
    return Step.then(bits(n * m), bits -> Step.round(new Step.Deal(n, k + kappa(k, parties) - m), r2 -> {
      long[] rPrime = new long[n];
      long[] masked = new long[n];
      long twoM = 1L << m;
      for (int i = 0; i < n; i++) {
        for (int j = m - 1; j >= 0; j--) rPrime[i] = add(mul(rPrime[i], 2), bits[i * m + j]);
        masked[i] = add(add(add(x[i], 1L << (k - 1)), mul(twoM, r2[i])), rPrime[i]);
      }
      return Step.round(new Step.Open(masked), c -> next.apply(c, bits, rPrime));
    }));
  }

  private static Step truncStep(long[] x, int k, int m, int parties) {
    long invTwoM = inv(1L << m);
    return maskedOpen(x, k, m, parties, (c, bits, rPrime) -> {
      long[] d = new long[x.length];
      for (int i = 0; i < d.length; i++) {
        long cLow = c[i] & ((1L << m) - 1);
        d[i] = mul(add(sub(x[i], cLow), rPrime[i]), invTwoM);
      }
      return Step.done(d);
    });
  }

  private static Step ltzStep(long[] x, int k, int parties) {
    int m = k - 1;
    long invTwoM = inv(1L << m);
    return maskedOpen(x, k, m, parties, (c, bits, rPrime) -> {
      long[] cLow = new long[x.length];
      for (int i = 0; i < x.length; i++) cLow[i] = c[i] & ((1L << m) - 1);
      return Step.then(bitLessThan(cLow, bits, m), borrow -> {
        long[] ltz = new long[x.length];
        for (int i = 0; i < x.length; i++) {
          // x mod 2^m = c' - r' + 2^m [c' < r'];  floor(x / 2^m) = (x - x mod 2^m) / 2^m is -1 or 0.
          long mod = add(sub(cLow[i], rPrime[i]), mul(1L << m, borrow[i]));
          long trunc = mul(sub(x[i], mod), invTwoM);
          ltz[i] = PrimeField.neg(trunc);
        }
        return Step.done(ltz);
      });
    });
  }

  /** Shares of [a < r] for public m-bit a and r given by shared bits (least significant first). */
  private static Step bitLessThan(long[] a, long[] bits, int m) {
    int n = a.length;
    long[] e = new long[n * m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        long aj = (a[i] >>> j) & 1;
        long b = bits[i * m + j];
        e[i * m + j] = aj == 0 ? b : sub(1, b); // a XOR b with a public
      }
    }
    long[] f = new long[n * m];
    for (int i = 0; i < n; i++) f[i * m + m - 1] = e[i * m + m - 1];
    return Step.then(prefixOr(e, f, n, m, m - 2), full -> {
      long[] acc = new long[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          long g = j == m - 1 ? full[i * m + j] : sub(full[i * m + j], full[i * m + j + 1]);
          acc[i] = add(acc[i], mul(g, bits[i * m + j]));
        }
      }
      // acc has degree 2d (products of shares): one resharing brings it back.
      return Step.round(new Step.Reshare(acc), Step::done);
    });
  }

  /** f[j] = OR of e[j..m-1], computed from the top bit down, one multiplication round per bit. */
  private static Step prefixOr(long[] e, long[] f, int n, int m, int j) {
    if (j < 0) return Step.done(f);
    long[] prev = new long[n];
    long[] cur = new long[n];
    for (int i = 0; i < n; i++) {
      prev[i] = f[i * m + j + 1];
      cur[i] = e[i * m + j];
    }
    return Step.then(mulStep(prev, cur), both -> {
      long[] next = f.clone();
      for (int i = 0; i < n; i++) next[i * m + j] = sub(add(prev[i], cur[i]), both[i]);
      return prefixOr(e, next, n, m, j - 1);
    });
  }

  private static Step clipStep(long[] x, long lo, long hi, int k, int parties) {
    int n = x.length;
    long[] diffs = new long[2 * n];
    for (int i = 0; i < n; i++) {
      diffs[i] = sub(x[i], lo);
      diffs[n + i] = sub(hi, x[i]);
    }
    return Step.then(ltzStep(diffs, k, parties), flags -> {
      long[] keep = new long[n];
      for (int i = 0; i < n; i++) keep[i] = sub(sub(1, flags[i]), flags[n + i]);
      return Step.then(mulStep(keep, x), kept -> {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = add(add(mul(lo, flags[i]), mul(hi, flags[n + i])), kept[i]);
        return Step.done(out);
      });
    });
  }
}
