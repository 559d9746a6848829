package org.consilium.he.threshold;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Party i's share of the decryption of a vector of ciphertexts c_j: values c_ij = c_j^(2 Delta
 * s_i) mod n^2, with one non-interactive proof (Fiat-Shamir, SHA-256) for the whole vector.
 * The proof is for a random combination: with u_j = c_j^4, w_j = c_ij^2 and 128-bit weights e_j
 * hashed from all of them, it shows log_U(W) = log_v(v_i) for U = prod u_j^e_j and W = prod
 * w_j^e_j, i.e. that every value used the share v_i commits to (a wrong one survives with
 * probability about 2^-128: the squares mod n^2 have no small subgroup for safe-prime moduli).
 */
public record PartialDecryption(int party, List<BigInteger> values, BigInteger challenge, BigInteger response) {
  static final int WEIGHT_BITS = 128;

  public PartialDecryption {
    values = List.copyOf(values);
  }

  static BigInteger challenge(BigInteger... parts) {
    MessageDigest h = sha256("consilium/threshold-paillier/partial-decryption");
    for (BigInteger p : parts) absorb(h, p);
    return new BigInteger(1, h.digest());
  }

  /** The batch weights e_j: a hash of the verification key and every u_j and w_j, expanded per index. */
  static BigInteger[] weights(BigInteger v, BigInteger vi, List<BigInteger> u, List<BigInteger> w) {
    MessageDigest h = sha256("consilium/threshold-paillier/batch-weights");
    absorb(h, v);
    absorb(h, vi);
    for (BigInteger x : u) absorb(h, x);
    for (BigInteger x : w) absorb(h, x);
    byte[] seed = h.digest();
    BigInteger[] e = new BigInteger[u.size()];
    for (int j = 0; j < e.length; j++) {
      MessageDigest k = sha256("consilium/threshold-paillier/batch-weight");
      k.update(seed);
      k.update(java.nio.ByteBuffer.allocate(4).putInt(j).array());
      e[j] = new BigInteger(1, java.util.Arrays.copyOf(k.digest(), WEIGHT_BITS / 8));
    }
    return e;
  }

  private static MessageDigest sha256(String domain) {
    try {
      MessageDigest h = MessageDigest.getInstance("SHA-256");
      h.update(domain.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return h;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void absorb(MessageDigest h, BigInteger p) {
    byte[] b = p.toByteArray();
    h.update(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
    h.update(b);
  }
}
