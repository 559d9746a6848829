package org.consilium.he.paillier;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayDeque;

/**
 * Encryption randomness for one key (an n-th residue mod n^2, {@link FixedBaseRandomness}), each
 * value used once. {@link #precompute} computes values ahead of time (at a node: while it waits
 * for work), so that encryption itself is one multiplication; {@link #next} computes on demand
 * when the pool is empty. Not thread-safe.
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
    return key.fixedBase(rng).sample(rng);
  }
}
