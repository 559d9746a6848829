package org.consilium.mpc.sharing;

import java.util.List;
import java.util.random.RandomGenerator;

/** Shamir sharing of byte strings (keys, seeds) of a fixed length. */
public final class SecretBytes {
  private final Shamir shamir;
  private final int length;

  public SecretBytes(Shamir shamir, int length) {
    if (length < 1) throw new IllegalArgumentException("length must be positive, was " + length);
    this.shamir = shamir;
    this.length = length;
  }

  /** The number of field elements in each share. */
  public int elementsPerShare() {
    return (length + ByteCodec.BYTES_PER_ELEMENT - 1) / ByteCodec.BYTES_PER_ELEMENT;
  }

  public List<ShamirShare> split(byte[] secret, RandomGenerator rng) {
    return shamir.split(elements(secret), rng);
  }

  /** Shares among the given holders only, one share per holder in their order. */
  public List<ShamirShare> split(byte[] secret, java.util.SortedSet<Integer> holders, RandomGenerator rng) {
    return shamir.split(elements(secret), holders, rng);
  }

  private long[] elements(byte[] secret) {
    if (secret.length != length) {
      throw new IllegalArgumentException("secret must be " + length + " bytes, was " + secret.length);
    }
    return ByteCodec.toElements(secret);
  }

  public byte[] reconstruct(List<ShamirShare> shares) {
    for (ShamirShare s : shares) {
      if (s.length() != elementsPerShare()) {
        throw new IllegalArgumentException(
            "share of party " + s.x() + " has " + s.length() + " values, expected " + elementsPerShare());
      }
    }
    return ByteCodec.toBytes(shamir.reconstruct(shares), length);
  }
}
