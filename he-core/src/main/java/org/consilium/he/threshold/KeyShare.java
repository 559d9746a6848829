package org.consilium.he.threshold;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.consilium.he.paillier.Ciphertext;

/** Party i's secret share s_i of the decryption exponent; it can only produce partial decryptions. */
public final class KeyShare {
  private final ThresholdPublicKey publicKey;
  private final int party;
  private final BigInteger share;

  public KeyShare(ThresholdPublicKey publicKey, int party, BigInteger share) {
    if (party < 1 || party > publicKey.parties()) throw new IllegalArgumentException("party must be in 1.." + publicKey.parties());
    this.publicKey = publicKey;
    this.party = party;
    this.share = share;
  }

  public int party() {
    return party;
  }

  public ThresholdPublicKey publicKey() {
    return publicKey;
  }

  /** The secret share, for writing it into its owner's startup kit; never log it. */
  public BigInteger exportSecret() {
    return share;
  }

  /** The partial decryption of c with its proof of correctness. */
  public PartialDecryption decrypt(Ciphertext c, SecureRandom rng) {
    BigInteger n = publicKey.encryptionKey().modulus();
    BigInteger n2 = n.multiply(n);
    BigInteger cv = publicKey.encryptionKey().ciphertext(c.value()).value();
    BigInteger exponent = publicKey.delta().multiply(share); // Delta s_i
    BigInteger ci = splitExponentiation(cv, exponent.shiftLeft(1), n2, rng);
    BigInteger c4 = cv.modPow(BigInteger.valueOf(4), n2);
    BigInteger ci2 = ci.modPow(BigInteger.TWO, n2);
    BigInteger v = publicKey.verificationBase();
    BigInteger vi = publicKey.verificationKey(party);
    // r hides e * Delta * s_i statistically: 512 bits longer than n^2 (hash 256 + 256 slack).
    BigInteger r = new BigInteger(n2.bitLength() + 512, rng);
    BigInteger a = c4.modPow(r, n2);
    BigInteger b = v.modPow(r, n2);
    BigInteger e = PartialDecryption.challenge(c4, ci2, v, vi, a, b);
    BigInteger z = r.add(e.multiply(exponent));
    return new PartialDecryption(party, ci, e, z);
  }

  /**
   * c^e computed as c^r * (c^(r - e))^-1 with a fresh random r 64 bits longer than e: each
   * exponent BigInteger.modPow sees is statistically independent of the secret e (distance
   * 2^-64), so its non-constant timing says nothing about the key share. Costs a second
   * exponentiation and an inverse.
   */
  static BigInteger splitExponentiation(BigInteger c, BigInteger e, BigInteger modulus, SecureRandom rng) {
    BigInteger r;
    do {
      r = new BigInteger(e.bitLength() + 64, rng);
    } while (r.compareTo(e) < 0);
    return c.modPow(r, modulus).multiply(c.modPow(r.subtract(e), modulus).modInverse(modulus)).mod(modulus);
  }

  @Override
  public String toString() {
    return "KeyShare[party " + party + " of " + publicKey.encryptionKey() + "]"; // never the share
  }
}
