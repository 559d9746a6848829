package org.consilium.he.paillier;

import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * A whole Paillier private key (the factors p, q) with CRT decryption. Consilium never keeps
 * one at run time (decryption is threshold); it exists for key generation, for tests that check
 * threshold results against it, and as the benchmark's reference for decryption speed.
 */
public final class PaillierPrivateKey {
  private final PaillierPublicKey publicKey;
  private final BigInteger p;
  private final BigInteger q;
  private final BigInteger pSquared;
  private final BigInteger qSquared;
  private final BigInteger hp;
  private final BigInteger hq;
  private final BigInteger qInvModP;
  private static final org.consilium.he.modular.SecretExponentiation SECRET = org.consilium.he.modular.SecretExponentiation.constantTime();

  public PaillierPrivateKey(BigInteger p, BigInteger q) {
    if (p.equals(q)) throw new IllegalArgumentException("p and q must differ");
    this.publicKey = new PaillierPublicKey(p.multiply(q));
    this.p = p;
    this.q = q;
    this.pSquared = p.multiply(p);
    this.qSquared = q.multiply(q);
    BigInteger g = publicKey.modulus().add(BigInteger.ONE);
    // The factors are the key: every exponent derived from them goes through constant time.
    this.hp = lFunction(SECRET.pow(g, p.subtract(BigInteger.ONE), pSquared), p).modInverse(p);
    this.hq = lFunction(SECRET.pow(g, q.subtract(BigInteger.ONE), qSquared), q).modInverse(q);
    this.qInvModP = q.modInverse(p);
  }

  /** A fresh key with two random primes of bits/2 bits each (not safe primes: no threshold). */
  public static PaillierPrivateKey generate(int bits, SecureRandom rng) {
    while (true) {
      BigInteger p = BigInteger.probablePrime(bits / 2, rng);
      BigInteger q = BigInteger.probablePrime(bits / 2, rng);
      if (!p.equals(q) && p.multiply(q).bitLength() == bits) return new PaillierPrivateKey(p, q);
    }
  }

  public PaillierPublicKey publicKey() {
    return publicKey;
  }

  /** CRT decryption: two half-size exponentiations instead of one full one. */
  public BigInteger decrypt(Ciphertext c) {
    publicKey.requireOwn(c);
    BigInteger mp = lFunction(SECRET.pow(c.value().mod(pSquared), p.subtract(BigInteger.ONE), pSquared), p).multiply(hp).mod(p);
    BigInteger mq = lFunction(SECRET.pow(c.value().mod(qSquared), q.subtract(BigInteger.ONE), qSquared), q).multiply(hq).mod(q);
    // Garner: m = mq + q * ((mp - mq) q^-1 mod p)
    return mq.add(q.multiply(mp.subtract(mq).multiply(qInvModP).mod(p)));
  }

  private static BigInteger lFunction(BigInteger u, BigInteger modulus) {
    return u.subtract(BigInteger.ONE).divide(modulus);
  }

  BigInteger p() {
    return p;
  }

  BigInteger q() {
    return q;
  }

  @Override
  public String toString() {
    return "PaillierPrivateKey[" + publicKey + "]"; // never the factors
  }
}
