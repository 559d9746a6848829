package org.consilium.mpc.prg;

import java.security.SecureRandom;
import java.util.Arrays;

/** A 32-byte seed for one mask stream. Never printed. */
public final class MaskSeed {
  public static final int LENGTH = 32;
  private final byte[] bytes;

  private MaskSeed(byte[] bytes) {
    this.bytes = bytes;
  }

  public static MaskSeed random(SecureRandom rng) {
    byte[] b = new byte[LENGTH];
    rng.nextBytes(b);
    return new MaskSeed(b);
  }

  public static MaskSeed of(byte[] bytes) {
    if (bytes.length != LENGTH) throw new IllegalArgumentException("mask seed must be 32 bytes, was " + bytes.length);
    return new MaskSeed(bytes.clone());
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MaskSeed s && Arrays.equals(s.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "MaskSeed[redacted]";
  }
}
