package org.consilium.he.paillier;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayDeque;

/**
 * Encryption randomness r^n mod n^2 for one key, each value used once. {@link #precompute}
 * does the one modular exponentiation per value ahead of time (at a node: while it waits for
 * work), so that encryption itself is one multiplication; {@link #next} computes on demand when
 * the pool is empty. Not thread-safe.
 */
public final class RandomnessPool {
  private final PaillierPublicKey key;
  private final SecureRandom rng;
  private final ArrayDeque<BigInteger> ready = new ArrayDeque<>();

  RandomnessPool(PaillierPublicKey key, SecureRandom rng) {
    this.key = key;
    this.rng = rng;
  }

  PaillierPublicKey key() {
    return key;
  }

  /** Computes count values ahead of time. */
  public void precompute(int count) {
    for (int i = 0; i < count; i++) ready.add(fresh());
  }

  public int available() {
    return ready.size();
  }

  BigInteger next() {
    BigInteger v = ready.poll();
    return v != null ? v : fresh();
  }

  private BigInteger fresh() {
    BigInteger n = key.modulus();
    while (true) {
      BigInteger r = new BigInteger(n.bitLength(), rng);
      if (r.signum() > 0 && r.compareTo(n) < 0 && r.gcd(n).equals(BigInteger.ONE)) return r.modPow(n, key.modulusSquared());
    }
  }
}
