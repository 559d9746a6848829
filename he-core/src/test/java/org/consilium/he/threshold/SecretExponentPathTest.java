package org.consilium.he.threshold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.paillier.PaillierPublicKey;
import org.consilium.he.modular.SecretExponentiation;
import org.junit.jupiter.api.Test;

/** Which exponentiations of a partial decryption get secret exponents, and that they all take the constant-time path. */
class SecretExponentPathTest {
  private static final Dealer.Dealt KEYS = Dealer.deal(512, 3, 2, new SecureRandom());

  /** Records every exponent it is given, computing with the real constant-time implementation. */
  private static final class Recording implements SecretExponentiation {
    final List<BigInteger> exponents = new ArrayList<>();

    @Override
    public BigInteger pow(BigInteger base, BigInteger exponent, BigInteger modulus) {
      exponents.add(exponent);
      return SecretExponentiation.constantTime().pow(base, exponent, modulus);
    }

    @Override
    public String implementation() {
      return "recording " + SecretExponentiation.constantTime().implementation();
    }
  }

  @Test
  void aShareUsesTheConstantTimePathByDefault() {
    assertTrue(KEYS.shares().get(0).exponentiation().endsWith("mpz_powm_sec"), KEYS.shares().get(0).exponentiation());
  }

  @Test
  void theShareAndTheProofNonceAreExponentsOnlyOfTheConstantTimePath() {
    KeyShare real = KEYS.shares().get(1);
    Recording recording = new Recording();
    KeyShare share = new KeyShare(real.publicKey(), real.party(), real.exportSecret(), recording);
    PaillierPublicKey pk = real.publicKey().encryptionKey();
    SecureRandom rng = new SecureRandom();
    Ciphertext c = pk.encrypt(BigInteger.valueOf(31), pk.randomness(rng));
    PartialDecryption d = share.decrypt(c, rng);
    assertTrue(real.publicKey().verify(c, d), "the partial decryption is still correct");
    BigInteger twiceDeltaShare = real.publicKey().delta().multiply(real.exportSecret()).shiftLeft(1);
    assertEquals(3, recording.exponents.size(), "c^(2 Delta s_i) and the batch proof's U^r, v^r");
    assertEquals(twiceDeltaShare, recording.exponents.get(0), "the key share's exponentiation took the constant-time path");
    assertEquals(recording.exponents.get(1), recording.exponents.get(2), "both proof commitments use the same secret nonce r");
    assertEquals(d.response(), recording.exponents.get(1).add(d.challenge().multiply(real.publicKey().delta().multiply(real.exportSecret()))),
        "the nonce is the r of z = r + e Delta s_i, so it too never met BigInteger.modPow");
  }
}
