package org.consilium.he.codec;

import org.consilium.he.wire.EncryptedVectorProto;
import org.consilium.he.wire.ThresholdKeyProto;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.List;
import org.consilium.he.encoding.SlotPacking;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.paillier.PaillierPublicKey;
import org.consilium.he.threshold.Dealer;
import org.consilium.he.threshold.KeyShare;
import org.consilium.he.threshold.PartialDecryption;
import org.consilium.he.threshold.ThresholdPublicKey;
import org.junit.jupiter.api.Test;

class HeWireTest {
  private static final Dealer.Dealt DEALT = Dealer.deal(512, 3, 2, new SecureRandom());
  private final SecureRandom rng = new SecureRandom();

  @Test
  void keysSharesVectorsAndPartialDecryptionsRoundTrip() {
    ThresholdPublicKey pub = HeWire.fromWire(HeWire.toWire(DEALT.publicKey()));
    assertEquals(DEALT.publicKey().encryptionKey(), pub.encryptionKey());
    KeyShare share = HeWire.fromWire(HeWire.toWire(DEALT.shares().get(1)));
    PaillierPublicKey pk = pub.encryptionKey();
    SlotPacking packing = new SlotPacking(pk, 64, 3);
    long[] values = {1, -2, Long.MAX_VALUE, Long.MIN_VALUE, 5, 6, 7, 8, 9};
    EncryptedVectorProto v = HeWire.encrypt(pk, packing, 64, 3, values, pk.randomness(rng));
    List<Ciphertext> cts = HeWire.ciphertexts(pk, HeWire.parse(EncryptedVectorProto.parser(), v.toByteArray(), "vector"), values.length,
        packing.plaintexts(values.length));
    PartialDecryption p1 = DEALT.shares().get(0).decrypt(cts, rng, () -> false);
    PartialDecryption sent = share.decrypt(cts, rng, () -> false);
    PartialDecryption p2 = HeWire.fromWire(pk, HeWire.toWire(sent), cts.size());
    assertEquals(sent, p2, "the partial decryptions and their proof survive the wire");
    List<BigInteger> plain = pub.decryptVector(cts, List.of(p1, p2)).plaintexts();
    assertEquals(java.util.Arrays.toString(values), java.util.Arrays.toString(packing.unpack(plain, values.length, 1)));
  }


  @Test
  void malformedInputIsRefusedWithTheReason() {
    PaillierPublicKey pk = DEALT.publicKey().encryptionKey();
    SlotPacking packing = new SlotPacking(pk, 64, 3);
    EncryptedVectorProto good = HeWire.encrypt(pk, packing, 64, 3, new long[] {1, 2}, pk.randomness(rng));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HeWire.ciphertexts(pk, good.toBuilder().setKeyFingerprint("00").build(), 2, 1))
        .getMessage().contains("under key 00"));
    assertThrows(IllegalArgumentException.class, () -> HeWire.ciphertexts(pk, good, 3, 1), "wrong length");
    assertThrows(IllegalArgumentException.class, () -> HeWire.ciphertexts(pk, good, 2, 2), "wrong count");
    EncryptedVectorProto zero = good.toBuilder().setCiphertexts(0, ByteString.copyFrom(new byte[] {0})).build();
    assertThrows(IllegalArgumentException.class, () -> HeWire.ciphertexts(pk, zero, 2, 1), "zero is not in Z*_{n^2}");
    EncryptedVectorProto huge = good.toBuilder().setCiphertexts(0, ByteString.copyFrom(new byte[10_000])).build();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HeWire.ciphertexts(pk, huge, 2, 1)).getMessage().contains("at most"));
    assertThrows(IllegalArgumentException.class, () -> HeWire.parse(EncryptedVectorProto.parser(), new byte[] {(byte) 0xff}, "vector"));
    ThresholdKeyProto key = HeWire.toWire(DEALT.publicKey());
    assertThrows(IllegalArgumentException.class, () -> HeWire.fromWire(key.toBuilder().clearVerificationKeys().addAllVerificationKeys(key.getVerificationKeysList().subList(1, 3)).build()),
        "a missing verification key");
  }
}
