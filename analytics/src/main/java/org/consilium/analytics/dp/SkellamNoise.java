package org.consilium.analytics.dp;

import java.security.SecureRandom;
import org.apache.commons.math3.special.Gamma;

/**
 * Samples a node's share of the distributed noise, Sk(mu) = Poisson(mu) - Poisson(mu), from a
 * SecureRandom. Poisson variates come from the multiplication method below mean 10 and from
 * Hormann's PTRS transformed rejection (1993) above, in double precision; means above 2^30 are
 * split into chunks (sums of independent Poissons are Poisson), which keeps the rejection test's
 * log-factorial differences well inside double precision. The floating-point caveats of
 * Mironov (CCS 2012) apply to the extreme tails, as for any such sampler.
 */
public final class SkellamNoise {
  private static final double CHUNK = 0x1p30;
  /** The largest Skellam parameter a node draws (the accountant refuses jobs that would need more). */
  public static final double MAX_MU = 1e14;
  private final SecureRandom rng;

  public SkellamNoise(SecureRandom rng) {
    this.rng = rng;
  }

  /** One sample of Sk(mu) as a ring element (a signed long). */
  public long sample(double mu) {
    if (mu == 0) return 0;
    if (!(mu > 0) || mu > MAX_MU) throw new IllegalArgumentException("Skellam parameter out of range: " + mu);
    return poisson(mu) - poisson(mu);
  }

  long poisson(double mu) {
    long total = 0;
    for (double left = mu; left > 0; left -= CHUNK) {
      double m = Math.min(left, CHUNK);
      total += m < 10 ? multiplication(m) : ptrs(m);
    }
    return total;
  }

  private long multiplication(double lambda) {
    double limit = Math.exp(-lambda);
    long k = 0;
    double p = rng.nextDouble();
    while (p > limit) {
      k++;
      p *= rng.nextDouble();
    }
    return k;
  }

  private long ptrs(double lambda) {
    double slam = Math.sqrt(lambda);
    double logLambda = Math.log(lambda);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2);
    while (true) {
      double u = rng.nextDouble() - 0.5;
      double v = rng.nextDouble();
      double us = 0.5 - Math.abs(u);
      long k = (long) Math.floor((2 * a / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b)
          <= -lambda + k * logLambda - Gamma.logGamma(k + 1.0)) {
        return k;
      }
    }
  }
}
