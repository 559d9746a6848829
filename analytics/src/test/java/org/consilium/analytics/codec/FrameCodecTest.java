package org.consilium.analytics.codec;

import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.Hello;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.wire.MessageType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  private static Frame hello(String id) {
    return FrameCodec.frame(MessageType.HELLO, "", 0, Hello.newBuilder().setNodeId(id).build());
  }

  @Test
  void framesSurviveArbitrarySplitsOfTheByteStream() {
    byte[] a = FrameCodec.encode(hello("a"));
    byte[] b = FrameCodec.encode(hello("bb"));
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    for (int cut = 0; cut <= all.length; cut++) {
      FrameCodec.Decoder d = new FrameCodec.Decoder(1024);
      List<FrameCodec.Decoded> out = new java.util.ArrayList<>(d.feed(Arrays.copyOfRange(all, 0, cut)));
      out.addAll(d.feed(Arrays.copyOfRange(all, cut, all.length)));
      assertEquals(2, out.size(), "cut at " + cut);
      assertEquals(hello("a"), out.get(0).frame());
      assertEquals(hello("bb"), out.get(1).frame());
      assertEquals(0, d.buffered());
    }
  }

  @Test
  void aDeclaredLengthAboveTheBoundIsRefusedBeforeAnyAllocation() {
    FrameCodec.Decoder d = new FrameCodec.Decoder(1024);
    FrameCodec.FramingException e = assertThrows(FrameCodec.FramingException.class, () -> d.feed(new byte[] {0, 0, 4, 1}));
    assertEquals("frame of 1025 bytes exceeds the limit of 1024 bytes", e.getMessage());
    assertThrows(FrameCodec.FramingException.class, () -> new FrameCodec.Decoder(1024).feed(new byte[] {(byte) 0xff, 0, 0, 0}),
        "a negative length is refused too");
  }

  @Test
  void aMalformedFrameIsReportedAndTheStreamGoesOn() {
    FrameCodec.Decoder d = new FrameCodec.Decoder(1024);
    byte[] good = FrameCodec.encode(hello("x"));
    byte[] bad = {0, 0, 0, 2, (byte) 0xff, (byte) 0xff};
    byte[] both = new byte[bad.length + good.length];
    System.arraycopy(bad, 0, both, 0, bad.length);
    System.arraycopy(good, 0, both, bad.length, good.length);
    List<FrameCodec.Decoded> out = d.feed(both);
    assertNull(out.get(0).frame());
    assertTrue(out.get(0).error().startsWith("malformed frame of 2 bytes"), out.get(0).error());
    assertEquals(hello("x"), out.get(1).frame());
  }

  @Test
  void unknownVersionsAndTypesAreReported() {
    Frame v2 = hello("x").toBuilder().setProtocolVersion(2).build();
    assertEquals("unsupported protocol version 2, expected 1", new FrameCodec.Decoder(1024).feed(FrameCodec.encode(v2)).get(0).error());
    Frame noType = hello("x").toBuilder().setTypeValue(99).build();
    assertEquals("frame has no known message type", new FrameCodec.Decoder(1024).feed(FrameCodec.encode(noType)).get(0).error());
  }

  @Test
  void aMalformedPayloadNamesTheFrameType() {
    Frame f = hello("x").toBuilder().setType(MessageType.JOB_OFFER)
        .setPayload(com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) 0xff})).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameCodec.payload(f, JobOffer.parser()));
    assertTrue(e.getMessage().startsWith("malformed JOB_OFFER payload"), e.getMessage());
  }

  @Test
  void aLargeFrameInSmallReadsAndALimitRaisedOnceThePeerIsKnown() {
    FrameCodec.Decoder d = new FrameCodec.Decoder(64);
    Frame big = FrameCodec.frame(MessageType.HELLO, "", 0, ErrorReport.newBuilder().setMessage("x".repeat(4 << 20)).build());
    byte[] bytes = FrameCodec.encode(big);
    assertThrows(FrameCodec.FramingException.class, () -> new FrameCodec.Decoder(64).feed(java.util.Arrays.copyOf(bytes, 4)),
        "before the limit is raised, 4 MiB is refused from the length alone");
    d.maxFrameBytes(8 << 20);
    int fed = 0;
    java.util.List<FrameCodec.Decoded> out = new java.util.ArrayList<>();
    while (fed < bytes.length) {
      int n = Math.min(1024, bytes.length - fed);
      out.addAll(d.feed(java.util.Arrays.copyOfRange(bytes, fed, fed + n)));
      fed += n;
      if (fed < bytes.length) assertEquals(fed, d.buffered(), "the partial frame is held as sent, no more");
    }
    assertEquals(1, out.size());
    assertEquals(big, out.get(0).frame(), "4 MiB fed 1 KiB at a time (4,096 reads) decodes to the same frame");
    assertEquals(0, d.buffered());
  }
}
