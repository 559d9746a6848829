package org.consilium.he.paillier;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A Paillier public key with g = n + 1, so that g^m = 1 + m n (mod n^2) costs one
 * multiplication. Encryption is (1 + m n) r^n mod n^2; the expensive part, an n-th residue,
 * does not depend on the message and comes from a {@link RandomnessPool} (fixed-base powers,
 * {@link FixedBaseRandomness}) that can be filled ahead of time.
 */
public final class PaillierPublicKey {
  private final BigInteger n;
  private final BigInteger nSquared;
  /** Built on the first encryption: the fixed-base table of this key's randomness (a few MiB). */
  private FixedBaseRandomness fixedBase;

  public PaillierPublicKey(BigInteger n) {
    if (n.signum() <= 0 || !n.testBit(0) || n.bitLength() < 256) {
      throw new IllegalArgumentException("a Paillier modulus must be odd and at least 256 bits, got " + n.bitLength() + " bits");
    }
    this.n = n;
    this.nSquared = n.multiply(n);
  }

  public BigInteger modulus() {
    return n;
  }

  BigInteger modulusSquared() {
    return nSquared;
  }

  public int bits() {
    return n.bitLength();
  }

  /** A short fingerprint (SHA-256 of n) that names the key in logs and messages. */
  public String fingerprint() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(n.toByteArray()), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  synchronized FixedBaseRandomness fixedBase(SecureRandom rng) {
    if (fixedBase == null) fixedBase = new FixedBaseRandomness(this, rng);
    return fixedBase;
  }

  /** A fresh pool of encryption randomness for this key. */
  public RandomnessPool randomness(SecureRandom rng) {
    return new RandomnessPool(this, rng);
  }

  /** Encrypts a plaintext in [0, n). */
  public Ciphertext encrypt(BigInteger plaintext, RandomnessPool pool) {
    if (plaintext.signum() < 0 || plaintext.compareTo(n) >= 0) {
      throw new IllegalArgumentException("plaintext must be in [0, n), got " + plaintext.bitLength() + " bits");
    }
    if (pool.key() != this && !pool.key().modulus().equals(n)) throw new IllegalArgumentException("randomness pool is for another key");
    BigInteger gm = BigInteger.ONE.add(plaintext.multiply(n)).mod(nSquared);
    return new Ciphertext(this, gm.multiply(pool.next()).mod(nSquared));
  }

  /** E(a) * E(b) = E(a + b mod n). */
  public Ciphertext add(Ciphertext a, Ciphertext b) {
    requireOwn(a);
    requireOwn(b);
    return new Ciphertext(this, a.value().multiply(b.value()).mod(nSquared));
  }

  /** E(a)^k = E(k a mod n), for a public constant k >= 0. */
  public Ciphertext multiply(Ciphertext a, BigInteger k) {
    requireOwn(a);
    if (k.signum() < 0) throw new IllegalArgumentException("constant must be non-negative (use n - k for -k)");
    return new Ciphertext(this, a.value().modPow(k, nSquared));
  }

  /** Validates a ciphertext received from elsewhere: it must be in Z*_{n^2}. */
  public Ciphertext ciphertext(BigInteger value) {
    if (value.signum() <= 0 || value.compareTo(nSquared) >= 0) {
      throw new IllegalArgumentException("ciphertext is not in [1, n^2) for key " + fingerprint());
    }
    if (!value.gcd(n).equals(BigInteger.ONE)) {
      throw new IllegalArgumentException("ciphertext is not invertible modulo n^2 (not in Z*_{n^2}) for key " + fingerprint());
    }
    return new Ciphertext(this, value);
  }

  void requireOwn(Ciphertext c) {
    if (c.key() != this && !c.key().modulus().equals(n)) {
      throw new IllegalArgumentException("ciphertext is under key " + c.key().fingerprint() + ", not " + fingerprint());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PaillierPublicKey k && k.n.equals(n);
  }

  @Override
  public int hashCode() {
    return n.hashCode();
  }

  @Override
  public String toString() {
    return "PaillierPublicKey[" + bits() + " bits, " + fingerprint() + "]";
  }
}
