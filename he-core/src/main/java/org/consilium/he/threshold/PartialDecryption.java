package org.consilium.he.threshold;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Party i's share of the decryption of c: c_i = c^(2 Delta s_i) mod n^2, with a
 * non-interactive proof (Fiat-Shamir, SHA-256) that log_{c^4}(c_i^2) = log_v(v_i), i.e. that it
 * used the same secret share its public verification key commits to.
 */
public record PartialDecryption(int party, BigInteger value, BigInteger challenge, BigInteger response) {

  static BigInteger challenge(BigInteger... parts) {
    try {
      MessageDigest h = MessageDigest.getInstance("SHA-256");
      h.update("consilium/threshold-paillier/partial-decryption".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      for (BigInteger p : parts) {
        byte[] b = p.toByteArray();
        h.update(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
        h.update(b);
      }
      return new BigInteger(1, h.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
