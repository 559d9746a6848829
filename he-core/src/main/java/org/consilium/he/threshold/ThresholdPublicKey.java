package org.consilium.he.threshold;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.consilium.he.modular.PublicExponentiation;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.paillier.PaillierPublicKey;

/**
 * The public side of threshold Paillier (Shoup 2000 as adapted to Paillier by Damgard and
 * Jurik 2001, s = 1): the encryption key, the threshold t of the l parties, the verification
 * base v and each party's verification key v_i = v^(Delta s_i), with Delta = l!. Anyone holding
 * it can check a partial decryption's proof and combine t correct ones into the plaintext.
 */
public final class ThresholdPublicKey {
  /** The proofs' exponents (challenge, response, batch weights) are public. */
  private static final PublicExponentiation POWERS = PublicExponentiation.fast();
  private final PaillierPublicKey key;
  private final int threshold;
  private final int parties;
  private final BigInteger delta;
  private final BigInteger v;
  private final Map<Integer, BigInteger> verificationKeys;
  private final BigInteger combineFactor;

  public ThresholdPublicKey(PaillierPublicKey key, int threshold, int parties, BigInteger v, Map<Integer, BigInteger> verificationKeys) {
    if (threshold < 1 || threshold > parties) throw new IllegalArgumentException("threshold must be in 1.." + parties + ", got " + threshold);
    if (verificationKeys.size() != parties) {
      throw new IllegalArgumentException("need a verification key for each of the " + parties + " parties, got " + verificationKeys.size());
    }
    this.key = key;
    this.threshold = threshold;
    this.parties = parties;
    this.delta = factorial(parties);
    this.v = key.ciphertext(v).value();
    Map<Integer, BigInteger> vk = new TreeMap<>();
    verificationKeys.forEach((i, vi) -> {
      if (i < 1 || i > parties) throw new IllegalArgumentException("verification key for unknown party " + i);
      vk.put(i, key.ciphertext(vi).value());
    });
    this.verificationKeys = Map.copyOf(vk);
    this.combineFactor = BigInteger.valueOf(4).multiply(delta).multiply(delta).modInverse(key.modulus());
  }

  static BigInteger factorial(int l) {
    BigInteger f = BigInteger.ONE;
    for (int i = 2; i <= l; i++) f = f.multiply(BigInteger.valueOf(i));
    return f;
  }

  public PaillierPublicKey encryptionKey() {
    return key;
  }

  public int threshold() {
    return threshold;
  }

  public int parties() {
    return parties;
  }

  BigInteger delta() {
    return delta;
  }

  public BigInteger verificationBase() {
    return v;
  }

  public Map<Integer, BigInteger> verificationKeys() {
    return verificationKeys;
  }

  BigInteger verificationKey(int party) {
    BigInteger vi = verificationKeys.get(party);
    if (vi == null) throw new IllegalArgumentException("no party " + party + " in this key");
    return vi;
  }

  /** Checks the proof of a partial decryption of c; false if it is wrong in any way. */
  public boolean verify(Ciphertext c, PartialDecryption d) {
    return verify(List.of(c), d);
  }

  /** Checks a party's partial decryptions of a vector against their one proof; false if anything is wrong. */
  public boolean verify(List<Ciphertext> vector, PartialDecryption d) {
    if (d.party() < 1 || d.party() > parties || d.values().size() != vector.size() || vector.isEmpty()) return false;
    if (d.response().signum() < 0 || d.challenge().signum() < 0) return false;
    BigInteger n2 = key.modulus().multiply(key.modulus());
    List<BigInteger> u = new ArrayList<>();
    List<BigInteger> w = new ArrayList<>();
    for (int j = 0; j < vector.size(); j++) {
      BigInteger value = d.values().get(j);
      if (value.signum() <= 0 || value.compareTo(n2) >= 0 || !value.gcd(key.modulus()).equals(BigInteger.ONE)) return false;
      u.add(key.ciphertext(vector.get(j).value()).value().modPow(BigInteger.valueOf(4), n2));
      w.add(value.modPow(BigInteger.TWO, n2));
    }
    BigInteger vi = verificationKey(d.party());
    BigInteger[] weights = PartialDecryption.weights(v, vi, u, w);
    BigInteger bigU = combination(u, weights, n2);
    BigInteger bigW = combination(w, weights, n2);
    // a = U^z / W^e, b = v^z / vi^e; the challenge must be the hash of exactly these.
    BigInteger a = POWERS.pow(bigU, d.response(), n2).multiply(POWERS.pow(bigW, d.challenge(), n2).modInverse(n2)).mod(n2);
    BigInteger b = POWERS.pow(v, d.response(), n2).multiply(POWERS.pow(vi, d.challenge(), n2).modInverse(n2)).mod(n2);
    return PartialDecryption.challenge(bigU, bigW, v, vi, a, b).equals(d.challenge());
  }

  /** prod x_j^(e_j) mod m: the random combination a batch proof is about (public exponents). */
  static BigInteger combination(List<BigInteger> xs, BigInteger[] weights, BigInteger m) {
    return POWERS.product(xs, weights, m);
  }

  /**
   * Combines partial decryptions of c into the plaintext. Every one is verified first (a wrong
   * one is named, never silently used); at least t correct ones from distinct parties are needed.
   */
  public BigInteger combine(Ciphertext c, List<PartialDecryption> partials) {
    Set<Integer> seen = new HashSet<>();
    List<PartialDecryption> good = new ArrayList<>();
    for (PartialDecryption d : partials) {
      if (!seen.add(d.party())) throw new IllegalArgumentException("two partial decryptions from party " + d.party());
      if (!verify(c, d)) throw new InvalidPartialDecryptionException(d.party());
      good.add(d);
    }
    if (good.size() < threshold) {
      throw new IllegalArgumentException("need " + threshold + " partial decryptions to decrypt, got " + good.size());
    }
    List<PartialDecryption> use = good.subList(0, threshold);
    return combineVerified(0, use, lagrangeWeights(use));
  }

  /** Fewer than t parties' partial decryptions of a vector were correct: nothing can be decrypted. */
  public static final class TooFewCorrectPartials extends IllegalArgumentException {
    private final List<Integer> rejected;

    TooFewCorrectPartials(int correct, int threshold, List<Integer> rejected) {
      super(correct + " parties' partial decryptions are correct" + (rejected.isEmpty() ? "" : " (proofs failed for parties "
          + rejected + ")") + ", the key needs " + threshold);
      this.rejected = List.copyOf(rejected);
    }

    /** The parties whose proofs failed. */
    public List<Integer> rejected() {
      return rejected;
    }
  }

  /** What decrypting a vector gave: its plaintexts, and the parties left out because a proof of theirs failed. */
  public record VectorDecryption(List<BigInteger> plaintexts, List<Integer> rejected) {}

  /**
   * Decrypts a vector from each party's partial decryptions of it (in the vector's order),
   * checking every party's proof once: a party whose proof fails, or who sent the wrong number
   * of values, is left out and named; the first t remaining parties combine each element. A
   * second decryption from a party already given is ignored (it can only repeat the first).
   * Throws {@link TooFewCorrectPartials} naming the rejected parties when fewer than t remain.
   */
  public VectorDecryption decryptVector(List<Ciphertext> vector, List<PartialDecryption> fromParties) {
    java.util.Map<Integer, PartialDecryption> good = new java.util.TreeMap<>();
    List<Integer> rejected = new ArrayList<>();
    for (PartialDecryption d : fromParties) {
      int party = d.party();
      if (good.containsKey(party) || rejected.contains(party)) continue;
      if (verify(vector, d)) good.put(party, d);
      else rejected.add(party);
    }
    if (good.size() < threshold) throw new TooFewCorrectPartials(good.size(), threshold, rejected);
    List<PartialDecryption> use = new ArrayList<>(good.values()).subList(0, threshold);
    List<BigInteger> weights = lagrangeWeights(use);
    List<BigInteger> plaintexts = new ArrayList<>();
    for (int i = 0; i < vector.size(); i++) plaintexts.add(combineVerified(i, use, weights));
    return new VectorDecryption(plaintexts, List.copyOf(rejected));
  }

  /** Each party's Lagrange weight in a combination of exactly these t partial decryptions (the same for every element). */
  private List<BigInteger> lagrangeWeights(List<PartialDecryption> use) {
    return use.stream().map(d -> lagrange(use, d.party())).toList();
  }

  /** The Lagrange combination of element `index` of exactly t partial decryptions whose proofs were checked. */
  private BigInteger combineVerified(int index, List<PartialDecryption> use, List<BigInteger> weights) {
    BigInteger n = key.modulus();
    BigInteger n2 = n.multiply(n);
    BigInteger acc = BigInteger.ONE;
    for (int k = 0; k < use.size(); k++) {
      PartialDecryption d = use.get(k);
      BigInteger lambda = weights.get(k);
      BigInteger term = d.values().get(index).modPow(lambda.abs().shiftLeft(1), n2);
      if (lambda.signum() < 0) term = term.modInverse(n2);
      acc = acc.multiply(term).mod(n2);
    }
    BigInteger l = acc.subtract(BigInteger.ONE).divide(n);
    return l.multiply(combineFactor).mod(n);
  }

  /** Delta * prod_{j != i} (0 - j) / (i - j): an integer because Delta = l!. */
  private BigInteger lagrange(List<PartialDecryption> set, int i) {
    BigInteger num = delta;
    BigInteger den = BigInteger.ONE;
    for (PartialDecryption d : set) {
      int j = d.party();
      if (j == i) continue;
      num = num.multiply(BigInteger.valueOf(-j));
      den = den.multiply(BigInteger.valueOf(i - j));
    }
    BigInteger[] qr = num.divideAndRemainder(den);
    if (qr[1].signum() != 0) throw new IllegalStateException("Lagrange coefficient is not an integer");
    return qr[0];
  }

  /** A partial decryption failed its proof. */
  public static final class InvalidPartialDecryptionException extends IllegalArgumentException {
    private final int party;

    public InvalidPartialDecryptionException(int party) {
      super("partial decryption of party " + party + " fails its proof of correctness");
      this.party = party;
    }

    public int party() {
      return party;
    }
  }
}
