package org.consilium.he.paillier;

import java.math.BigInteger;

/** A Paillier ciphertext under a given key; construct through {@link PaillierPublicKey#ciphertext}. */
public final class Ciphertext {
  private final PaillierPublicKey key;
  private final BigInteger value;

  Ciphertext(PaillierPublicKey key, BigInteger value) {
    this.key = key;
    this.value = value;
  }

  public PaillierPublicKey key() {
    return key;
  }

  public BigInteger value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ciphertext c && c.value.equals(value) && c.key.equals(key);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "Ciphertext[" + key.fingerprint() + "]";
  }
}
