package org.consilium.he.threshold;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.modular.SecretExponentiation;

/** Party i's secret share s_i of the decryption exponent; it can only produce partial decryptions. */
public final class KeyShare {
  private final ThresholdPublicKey publicKey;
  private final int party;
  private final BigInteger share;
  private final SecretExponentiation secret;

  public KeyShare(ThresholdPublicKey publicKey, int party, BigInteger share) {
    this(publicKey, party, share, SecretExponentiation.constantTime());
  }

  /** With another exponentiation: tests use it to see which exponentiations get a secret exponent. */
  KeyShare(ThresholdPublicKey publicKey, int party, BigInteger share, SecretExponentiation secret) {
    if (party < 1 || party > publicKey.parties()) throw new IllegalArgumentException("party must be in 1.." + publicKey.parties());
    this.publicKey = publicKey;
    this.party = party;
    this.share = share;
    this.secret = secret;
  }

  /** What computes this share's exponentiations with secret exponents. */
  public String exponentiation() {
    return secret.implementation();
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

  /** The partial decryption of one ciphertext, with its proof. */
  public PartialDecryption decrypt(Ciphertext c, SecureRandom rng) {
    return decrypt(List.of(c), rng, () -> false);
  }

  /**
   * The partial decryptions of a vector with one proof for all ({@link PartialDecryption}).
   * Checks between ciphertexts whether to stop: then it throws
   * {@link java.util.concurrent.CancellationException} and nothing is released.
   */
  public PartialDecryption decrypt(List<Ciphertext> cs, SecureRandom rng, java.util.function.BooleanSupplier cancelled) {
    if (cs.isEmpty()) throw new IllegalArgumentException("nothing to decrypt");
    BigInteger n = publicKey.encryptionKey().modulus();
    BigInteger n2 = n.multiply(n);
    BigInteger exponent = publicKey.delta().multiply(share); // Delta s_i
    List<BigInteger> values = new ArrayList<>();
    List<BigInteger> u = new ArrayList<>();
    List<BigInteger> w = new ArrayList<>();
    for (Ciphertext c : cs) {
      if (cancelled.getAsBoolean()) {
        throw new java.util.concurrent.CancellationException("the job ended; decryption stopped after " + values.size() + " of " + cs.size());
      }
      BigInteger cv = publicKey.encryptionKey().ciphertext(c.value()).value();
      BigInteger ci = secret.pow(cv, exponent.shiftLeft(1), n2);
      values.add(ci);
      u.add(cv.modPow(BigInteger.valueOf(4), n2));
      w.add(ci.modPow(BigInteger.TWO, n2));
    }
    BigInteger v = publicKey.verificationBase();
    BigInteger vi = publicKey.verificationKey(party);
    BigInteger[] weights = PartialDecryption.weights(v, vi, u, w);
    BigInteger bigU = ThresholdPublicKey.combination(u, weights, n2);
    BigInteger bigW = ThresholdPublicKey.combination(w, weights, n2);
    // r hides e * Delta * s_i statistically: 512 bits longer than n^2 (hash 256 + 256 slack).
    BigInteger r = new BigInteger(n2.bitLength() + 512, rng);
    // r is as secret as the share (z = r + e Delta s_i is published): constant time too.
    BigInteger a = secret.pow(bigU, r, n2);
    BigInteger b = secret.pow(v, r, n2);
    BigInteger e = PartialDecryption.challenge(bigU, bigW, v, vi, a, b);
    BigInteger z = r.add(e.multiply(exponent));
    return new PartialDecryption(party, values, e, z);
  }

  @Override
  public String toString() {
    return "KeyShare[party " + party + " of " + publicKey.encryptionKey() + "]"; // never the share
  }
}
