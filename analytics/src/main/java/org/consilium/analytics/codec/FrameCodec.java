package org.consilium.analytics.codec;

import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.MessageType;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Length-prefixed framing of {@link Frame}s: a 4-byte big-endian length, then the frame. Pure:
 * bytes in, frames out; the programs move the bytes. A length above the bound, a frame that
 * does not parse, or one of an unknown protocol version is reported, never trusted.
 */
public final class FrameCodec {
  public static final int PROTOCOL_VERSION = 1;
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  private FrameCodec() {}

  public static byte[] encode(Frame frame) {
    byte[] body = frame.toByteArray();
    return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
  }

  public static Frame frame(MessageType type, String jobId, int round, MessageLite payload) {
    return Frame.newBuilder().setProtocolVersion(PROTOCOL_VERSION).setType(type).setJobId(jobId).setRound(round)
        .setPayload(payload.toByteString()).build();
  }

  /** An ERROR frame (or, with type JOB_ABORT, an abort) carrying a code and a message. */
  public static Frame error(MessageType type, String jobId, String code, String message) {
    return frame(type, jobId, 0, ErrorReport.newBuilder().setCode(code).setMessage(message).build());
  }

  public static Frame error(String jobId, String code, String message) {
    return error(MessageType.ERROR, jobId, code, message);
  }

  /** A framing violation after which the stream cannot be resynchronised: close the connection. */
  public static final class FramingException extends RuntimeException {
    public FramingException(String message) {
      super(message);
    }
  }

  /** One decoded item: a frame, or a frame-level error that leaves the stream usable. */
  public record Decoded(Frame frame, String error) {}

  /**
   * Incremental decoder for one connection. Not thread-safe; one per connection. Received
   * bytes go into one growing buffer and are parsed in place, so a large frame arriving in many
   * small reads costs linear, not quadratic, copying; the buffer holds only bytes the peer
   * actually sent. The frame limit can be raised once the peer is known (small before HELLO).
   */
  public static final class Decoder {
    private int maxFrameBytes;
    private byte[] buf = new byte[4096];
    private int start;
    private int end;

    public Decoder(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
    }

    /** Changes the largest frame accepted from now on (e.g. raised after the peer's HELLO). */
    public void maxFrameBytes(int max) {
      this.maxFrameBytes = max;
    }

    /**
     * Feeds received bytes; returns the complete frames (or per-frame errors). Throws
     * {@link FramingException} if a declared length exceeds the bound.
     */
    public List<Decoded> feed(byte[] bytes) {
      append(bytes);
      List<Decoded> out = new ArrayList<>();
      while (end - start >= 4) {
        int len = ByteBuffer.wrap(buf, start, 4).getInt();
        if (len < 0 || len > maxFrameBytes) {
          throw new FramingException("frame of " + Integer.toUnsignedString(len) + " bytes exceeds the limit of "
              + maxFrameBytes + " bytes");
        }
        if (end - start - 4 < len) break;
        out.add(parse(buf, start + 4, len));
        start += 4 + len;
      }
      if (start == end) {
        start = 0;
        end = 0;
      }
      return out;
    }

    private void append(byte[] bytes) {
      if (end + bytes.length > buf.length) {
        int live = end - start;
        long needed = (long) live + bytes.length;
        // Keep at least as much room as live bytes, so compactions cost amortised O(1) per byte.
        byte[] target = needed > buf.length / 2 ? new byte[(int) Math.min(Integer.MAX_VALUE - 8, 2 * needed)] : buf;
        System.arraycopy(buf, start, target, 0, live);
        buf = target;
        start = 0;
        end = live;
      }
      System.arraycopy(bytes, 0, buf, end, bytes.length);
      end += bytes.length;
    }

    /** Bytes of an incomplete frame still waiting for the rest. */
    public int buffered() {
      return end - start;
    }

    private static Decoded parse(byte[] buf, int offset, int len) {
      try {
        Frame f = Frame.parseFrom(ByteBuffer.wrap(buf, offset, len));
        if (f.getProtocolVersion() != PROTOCOL_VERSION) {
          return new Decoded(null, "unsupported protocol version " + f.getProtocolVersion() + ", expected " + PROTOCOL_VERSION);
        }
        if (f.getType() == MessageType.MESSAGE_TYPE_UNSPECIFIED || f.getType() == MessageType.UNRECOGNIZED) {
          return new Decoded(null, "frame has no known message type");
        }
        return new Decoded(f, null);
      } catch (InvalidProtocolBufferException e) {
        return new Decoded(null, "malformed frame of " + len + " bytes: " + e.getMessage());
      }
    }
  }

  /** Parses a frame's payload as the given message, naming the frame type on failure. */
  public static <T> T payload(Frame frame, com.google.protobuf.Parser<T> parser) {
    try {
      return parser.parseFrom(frame.getPayload());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed " + frame.getType() + " payload: " + e.getMessage());
    }
  }
}
