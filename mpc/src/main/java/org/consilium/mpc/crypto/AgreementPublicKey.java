package org.consilium.mpc.crypto;

import java.util.Arrays;
import java.util.HexFormat;

/** An X25519 public key (32 bytes), as advertised by a party. */
public record AgreementPublicKey(byte[] bytes) {
  public static final int LENGTH = 32;

  public AgreementPublicKey {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("X25519 public key must be 32 bytes, was " + bytes.length);
    }
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AgreementPublicKey k && Arrays.equals(k.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "X25519:" + HexFormat.of().formatHex(bytes, 0, 8) + "…";
  }
}
