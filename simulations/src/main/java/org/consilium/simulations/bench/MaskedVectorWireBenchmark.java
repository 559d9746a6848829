package org.consilium.simulations.bench;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.consilium.analytics.codec.SecAggCodec;
import org.consilium.analytics.wire.MaskedInput;
import org.consilium.mpc.ring.RingVector;
import org.consilium.mpc.secagg.Messages;

/**
 * Benchmark harness (not a test): a party's masked vector from record to bytes and back, as
 * the masking round sends it (raw little-endian words in a {@code bytes} field, {@code SecAggCodec})
 * against the way it went before (protobuf's packed {@code repeated fixed64}, coded value by
 * value, as the generated code does; the old builder's growing list is left out, so the baseline
 * if anything is flattered), same vectors, same process, medians.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.MaskedVectorWireBenchmark [LENGTH ...]</pre>
 */
public final class MaskedVectorWireBenchmark {
  private static final int BLOCKS = 4;
  private static final int PER_BLOCK = 10;
  private static final int REPEATS = BLOCKS * PER_BLOCK;

  private MaskedVectorWireBenchmark() {}

  public static void main(String[] args) throws IOException {
    int[] lengths = args.length == 0 ? new int[] {100_000, 1_000_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    System.out.printf(Locale.ROOT, "masked vector, encode + decode, Java %s, %d round trips each after %d warm-up%n",
        Runtime.version(), REPEATS, PER_BLOCK);
    System.out.printf(Locale.ROOT, "%10s | %17s | %17s | %8s | %10s%n", "values", "raw min / median", "packed min / med.",
        "speed-up", "bytes");
    for (int length : lengths) {
      Messages.MaskedInput input = new Messages.MaskedInput(1, RingVector.adopt(new SplittableRandom(length).longs(length).toArray()));
      byte[] sent = SecAggCodec.toWire(input).toByteArray();
      if (!SecAggCodec.fromWire(MaskedInput.parseFrom(sent)).masked().equals(input.masked())
          || !packedDecode(packedEncode(input)).masked().equals(input.masked())) {
        throw new IllegalStateException("a codec changed the vector");
      }
      double[] raw = new double[REPEATS];
      double[] packed = new double[REPEATS];
      // Each codec in blocks of its own, alternating, so that one's garbage is not collected on the other's clock.
      for (int block = -1; block < BLOCKS; block++) {
        time(raw, block, () -> SecAggCodec.fromWire(MaskedInput.parseFrom(SecAggCodec.toWire(input).toByteArray())));
        time(packed, block, () -> packedDecode(packedEncode(input)));
      }
      Arrays.sort(raw);
      Arrays.sort(packed);
      System.out.printf(Locale.ROOT, "%10d | %8.2f %8.2f | %8.2f %8.2f | %7.1fx | %10d%n", length, raw[0], raw[REPEATS / 2],
          packed[0], packed[REPEATS / 2], packed[REPEATS / 2] / raw[REPEATS / 2], sent.length);
    }
  }

  private interface Codec {
    Messages.MaskedInput roundTrip() throws IOException;
  }

  /** Times PER_BLOCK round trips into block's slots of ms (a negative block only warms up). */
  private static void time(double[] ms, int block, Codec codec) throws IOException {
    for (int i = 0; i < PER_BLOCK; i++) {
      long t0 = System.nanoTime();
      Messages.MaskedInput back = codec.roundTrip();
      long elapsed = System.nanoTime() - t0;
      if (back.masked().length() < 0) throw new IllegalStateException(); // keeps the result live
      if (block >= 0) ms[block * PER_BLOCK + i] = elapsed / 1e6;
    }
  }

  /** MaskedInput{party = 1, masked = 2 (packed fixed64)} as protobuf's generated code wrote it. */
  private static byte[] packedEncode(Messages.MaskedInput m) throws IOException {
    long[] values = m.masked().toArray();
    int payload = values.length * Long.BYTES;
    int size = CodedOutputStream.computeUInt32Size(1, m.party()) + CodedOutputStream.computeTagSize(2)
        + CodedOutputStream.computeUInt32SizeNoTag(payload) + payload;
    byte[] out = new byte[size];
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    o.writeUInt32(1, m.party());
    o.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    o.writeUInt32NoTag(payload);
    for (long v : values) o.writeFixed64NoTag(v);
    o.checkNoSpaceLeft();
    return out;
  }

  private static Messages.MaskedInput packedDecode(byte[] in) throws IOException {
    CodedInputStream c = CodedInputStream.newInstance(in);
    int party = 0;
    long[] values = new long[0];
    for (int tag = c.readTag(); tag != 0; tag = c.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == 1) {
        party = c.readUInt32();
      } else if (WireFormat.getTagFieldNumber(tag) == 2) {
        int length = c.readRawVarint32();
        int limit = c.pushLimit(length);
        values = new long[length / Long.BYTES];
        for (int i = 0; i < values.length; i++) values[i] = c.readFixed64();
        c.popLimit(limit);
      } else {
        c.skipField(tag);
      }
    }
    return new Messages.MaskedInput(party, RingVector.adopt(values));
  }
}
