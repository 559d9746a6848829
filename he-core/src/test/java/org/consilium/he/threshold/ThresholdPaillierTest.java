package org.consilium.he.threshold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.paillier.PaillierPublicKey;
import org.junit.jupiter.api.Test;

class ThresholdPaillierTest {
  private final SecureRandom rng = new SecureRandom();
  private static final Dealer.Dealt FIVE_OF_THREE = Dealer.deal(512, 5, 3, new SecureRandom());

  private static List<List<Integer>> subsets(int n, int k) {
    List<List<Integer>> out = new ArrayList<>();
    for (int mask = 0; mask < 1 << n; mask++) {
      if (Integer.bitCount(mask) != k) continue;
      List<Integer> s = new ArrayList<>();
      for (int i = 0; i < n; i++) if ((mask & (1 << i)) != 0) s.add(i + 1);
      out.add(s);
    }
    return out;
  }

  @Test
  void everySubsetOfTPartiesDecrypts() {
    ThresholdPublicKey pub = FIVE_OF_THREE.publicKey();
    PaillierPublicKey pk = pub.encryptionKey();
    BigInteger m = new BigInteger(400, rng);
    Ciphertext c = pk.encrypt(m, pk.randomness(rng));
    List<PartialDecryption> all = new ArrayList<>();
    for (KeyShare s : FIVE_OF_THREE.shares()) all.add(s.decrypt(c, rng));
    for (List<Integer> subset : subsets(5, 3)) {
      List<PartialDecryption> use = all.stream().filter(d -> subset.contains(d.party())).toList();
      assertEquals(m, pub.combine(c, use), "subset " + subset);
    }
    assertEquals(m, pub.combine(c, all), "all five (the first t are used, all are verified)");
  }

  @Test
  void tMinusOnePartiesCannotDecrypt() {
    ThresholdPublicKey pub = FIVE_OF_THREE.publicKey();
    Ciphertext c = pub.encryptionKey().encrypt(BigInteger.TEN, pub.encryptionKey().randomness(rng));
    List<PartialDecryption> two = List.of(FIVE_OF_THREE.shares().get(0).decrypt(c, rng), FIVE_OF_THREE.shares().get(3).decrypt(c, rng));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pub.combine(c, two));
    assertTrue(e.getMessage().contains("need 3 partial decryptions"), e.getMessage());
  }

  @Test
  void aWrongPartialDecryptionIsDetectedAndNamed() {
    ThresholdPublicKey pub = FIVE_OF_THREE.publicKey();
    PaillierPublicKey pk = pub.encryptionKey();
    BigInteger n2 = pk.modulus().multiply(pk.modulus());
    Ciphertext c = pk.encrypt(BigInteger.valueOf(77), pk.randomness(rng));
    PartialDecryption good = FIVE_OF_THREE.shares().get(1).decrypt(c, rng);
    assertTrue(pub.verify(c, good));
    PartialDecryption altered = new PartialDecryption(2, List.of(good.values().get(0).multiply(BigInteger.TWO).mod(n2)), good.challenge(), good.response());
    assertFalse(pub.verify(c, altered), "a changed value fails the proof");
    PartialDecryption impostor = new PartialDecryption(3, good.values(), good.challenge(), good.response());
    assertFalse(pub.verify(c, impostor), "party 2's decryption presented as party 3's fails");
    Ciphertext other = pk.encrypt(BigInteger.valueOf(78), pk.randomness(rng));
    assertFalse(pub.verify(other, good), "a decryption of another ciphertext fails");
    List<PartialDecryption> withBad = List.of(FIVE_OF_THREE.shares().get(0).decrypt(c, rng), altered, FIVE_OF_THREE.shares().get(4).decrypt(c, rng));
    ThresholdPublicKey.InvalidPartialDecryptionException e =
        assertThrows(ThresholdPublicKey.InvalidPartialDecryptionException.class, () -> pub.combine(c, withBad));
    assertEquals(2, e.party());
  }

  @Test
  void sumsOfEncryptedContributionsDecryptToTheSum() {
    ThresholdPublicKey pub = FIVE_OF_THREE.publicKey();
    PaillierPublicKey pk = pub.encryptionKey();
    BigInteger expected = BigInteger.ZERO;
    Ciphertext acc = null;
    for (int i = 0; i < 5; i++) {
      BigInteger m = new BigInteger(100, rng);
      expected = expected.add(m);
      Ciphertext c = pk.encrypt(m, pk.randomness(rng));
      acc = acc == null ? c : pk.add(acc, c);
    }
    Ciphertext sum = acc;
    List<PartialDecryption> parts = FIVE_OF_THREE.shares().subList(2, 5).stream().map(s -> s.decrypt(sum, rng)).toList();
    assertEquals(expected, pub.combine(sum, parts));
  }

  @Test
  void fullSize2048BitKeysWork() {
    Dealer.Dealt dealt = Dealer.deal(2048, 3, 2, rng);
    PaillierPublicKey pk = dealt.publicKey().encryptionKey();
    assertEquals(2048, pk.bits());
    BigInteger m = new BigInteger(2000, rng);
    Ciphertext c = pk.encrypt(m, pk.randomness(rng));
    assertEquals(m, dealt.publicKey().combine(c, List.of(dealt.shares().get(2).decrypt(c, rng), dealt.shares().get(0).decrypt(c, rng))));
  }

  /** A vector decrypted from whole parties' lists: every proof checked once, a cheating party left out by number. */
  @Test
  void aVectorDecryptsFromTheCorrectPartiesAndTheOthersAreNamed() {
    ThresholdPublicKey pub = FIVE_OF_THREE.publicKey();
    PaillierPublicKey pk = pub.encryptionKey();
    BigInteger n2 = pk.modulus().multiply(pk.modulus());
    List<BigInteger> values = List.of(BigInteger.valueOf(5), BigInteger.valueOf(1234567), BigInteger.ZERO);
    List<Ciphertext> vector = values.stream().map(m -> pk.encrypt(m, pk.randomness(rng))).toList();
    List<PartialDecryption> lists = new ArrayList<>();
    for (KeyShare s : FIVE_OF_THREE.shares()) lists.add(s.decrypt(vector, rng, () -> false));
    assertEquals(values, pub.decryptVector(vector, lists).plaintexts(), "all five honest");
    assertEquals(vector.size(), lists.get(0).values().size(), "one value per ciphertext, one proof for the vector");

    List<PartialDecryption> cheating = new ArrayList<>(lists);
    PartialDecryption honest = lists.get(1);
    List<BigInteger> altered = new ArrayList<>(honest.values());
    altered.set(2, altered.get(2).multiply(BigInteger.TWO).mod(n2));
    PartialDecryption two = new PartialDecryption(honest.party(), altered, honest.challenge(), honest.response());
    cheating.set(1, two);
    cheating.add(lists.get(0)); // party 1's decryption again, as a replaying node would send it
    ThresholdPublicKey.VectorDecryption d = pub.decryptVector(vector, cheating);
    assertEquals(values, d.plaintexts(), "the four honest parties decrypt");
    assertEquals(List.of(2), d.rejected(), "party 2, wrong on one element of the batch, is named");
    PartialDecryption fiveShort = new PartialDecryption(5, lists.get(4).values().subList(0, 2), lists.get(4).challenge(), lists.get(4).response());
    for (int j = 0; j < vector.size(); j++) {
      List<BigInteger> swapped = new ArrayList<>(honest.values());
      java.util.Collections.swap(swapped, j, (j + 1) % vector.size());
      assertFalse(pub.verify(vector, new PartialDecryption(2, swapped, honest.challenge(), honest.response())),
          "values in another order fail the batch proof (swap at " + j + ")");
    }

    List<PartialDecryption> tooFew = List.of(lists.get(0), two, fiveShort);
    ThresholdPublicKey.TooFewCorrectPartials e = assertThrows(ThresholdPublicKey.TooFewCorrectPartials.class,
        () -> pub.decryptVector(vector, tooFew));
    assertEquals(List.of(2, 5), e.rejected(), "a wrong proof and a short list are both rejected: " + e.getMessage());
  }
}
