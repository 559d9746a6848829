package org.consilium.he.threshold;

import org.consilium.he.modular.SecretExponentiation;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.consilium.he.paillier.PaillierKeys;
import org.consilium.he.paillier.PaillierPrivateKey;
import org.consilium.he.paillier.PaillierPublicKey;

/**
 * Trusted-dealer key generation for threshold Paillier, run once at provisioning. The dealer
 * picks n = pq from safe primes p = 2p'+1, q = 2q'+1, sets m = p'q' and the decryption exponent
 * d with d = 0 mod m and d = 1 mod n, shares d with a random polynomial of degree t-1 over
 * Z_{nm}, and publishes verification keys. It returns only public values and the shares: the
 * factors and d go out of scope when {@link #deal} returns (the JVM cannot promise to wipe
 * them from memory; run the dealer in a short-lived process). A distributed key generation in
 * which no one ever holds the key is not built.
 */
public final class Dealer {
  private Dealer() {}

  /** The outcome of dealing: the public key and one share per party (party i at index i-1). */
  public record Dealt(ThresholdPublicKey publicKey, List<KeyShare> shares) {}

  public static Dealt deal(int bits, int parties, int threshold, SecureRandom rng) {
    BigInteger p;
    BigInteger q;
    do {
      p = PaillierKeys.safePrime(bits / 2, rng);
      q = PaillierKeys.safePrime(bits / 2, rng);
    } while (p.equals(q) || p.multiply(q).bitLength() != bits);
    return deal(p, q, parties, threshold, rng);
  }

  static Dealt deal(BigInteger p, BigInteger q, int parties, int threshold, SecureRandom rng) {
    PaillierPublicKey key = new PaillierPrivateKey(p, q).publicKey();
    BigInteger n = key.modulus();
    BigInteger m = p.shiftRight(1).multiply(q.shiftRight(1));
    BigInteger nm = n.multiply(m);
    BigInteger d = m.multiply(m.modInverse(n)); // 0 mod m, 1 mod n
    BigInteger[] coeff = new BigInteger[threshold];
    coeff[0] = d;
    for (int i = 1; i < threshold; i++) coeff[i] = new BigInteger(nm.bitLength() + 128, rng).mod(nm);
    BigInteger n2 = n.multiply(n);
    BigInteger v;
    do {
      BigInteger r = new BigInteger(n2.bitLength(), rng).mod(n2);
      v = r.multiply(r).mod(n2);
    } while (v.signum() == 0 || !v.gcd(n).equals(BigInteger.ONE));
    BigInteger delta = ThresholdPublicKey.factorial(parties);
    Map<Integer, BigInteger> vks = new TreeMap<>();
    List<BigInteger> secrets = new ArrayList<>();
    for (int i = 1; i <= parties; i++) {
      BigInteger x = BigInteger.valueOf(i);
      BigInteger s = BigInteger.ZERO;
      for (int k = threshold - 1; k >= 0; k--) s = s.multiply(x).add(coeff[k]).mod(nm);
      secrets.add(s);
      vks.put(i, SecretExponentiation.constantTime().pow(v, delta.multiply(s), n2)); // s is party i's secret share
    }
    ThresholdPublicKey pub = new ThresholdPublicKey(key, threshold, parties, v, vks);
    List<KeyShare> shares = new ArrayList<>();
    for (int i = 1; i <= parties; i++) shares.add(new KeyShare(pub, i, secrets.get(i - 1)));
    return new Dealt(pub, shares);
  }
}
