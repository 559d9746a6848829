package org.consilium.analytics.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.util.SplittableRandom;
import org.consilium.analytics.wire.MaskedInput;
import org.consilium.mpc.ring.RingVector;
import org.consilium.mpc.secagg.Messages;
import org.junit.jupiter.api.Test;

/** The masked vector travels as raw little-endian 64-bit words. */
class SecAggCodecTest {
  @Test
  void aMaskedVectorIsItsLittleEndianWords() {
    MaskedInput wire = SecAggCodec.toWire(new Messages.MaskedInput(3, RingVector.of(1, -1, 0x0102030405060708L)));
    byte[] expected = {
        1, 0, 0, 0, 0, 0, 0, 0,
        -1, -1, -1, -1, -1, -1, -1, -1,
        8, 7, 6, 5, 4, 3, 2, 1};
    assertArrayEquals(expected, wire.getMasked().toByteArray(), "8 bytes a value, least significant first");
    assertEquals(3, wire.getParty());
  }

  @Test
  void randomVectorsSurviveEncodingParsingAndDecoding() throws Exception {
    SplittableRandom random = new SplittableRandom(17);
    for (int length : new int[] {0, 1, 2, 7, 1000, 100_003}) {
      long[] values = random.longs(length).toArray();
      byte[] bytes = SecAggCodec.toWire(new Messages.MaskedInput(2, RingVector.of(values))).toByteArray();
      Messages.MaskedInput back = SecAggCodec.fromWire(MaskedInput.parseFrom(bytes));
      assertEquals(RingVector.of(values), back.masked(), "a vector of " + length + " values comes back unchanged");
      assertEquals(2, back.party());
    }
  }

  @Test
  void aTruncatedWordIsRefusedNamingTheParty() {
    MaskedInput cut = MaskedInput.newBuilder().setParty(4).setMasked(ByteString.copyFrom(new byte[8 * 3 + 5])).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecAggCodec.fromWire(cut));
    assertEquals("masked input of party 4 has 29 bytes, not a whole number of 64-bit values", e.getMessage());
  }
}
