package org.consilium.analytics.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import java.io.ByteArrayOutputStream;
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

  /** Incremental decoder for one connection. Not thread-safe; one per connection. */
  public static final class Decoder {
    private final int maxFrameBytes;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    public Decoder(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Feeds received bytes; returns the complete frames (or per-frame errors). Throws
     * {@link FramingException} if a declared length exceeds the bound.
     */
    public List<Decoded> feed(byte[] bytes) {
      pending.writeBytes(bytes);
      byte[] buf = pending.toByteArray();
      int at = 0;
      List<Decoded> out = new ArrayList<>();
      while (buf.length - at >= 4) {
        int len = ByteBuffer.wrap(buf, at, 4).getInt();
        if (len < 0 || len > maxFrameBytes) {
          throw new FramingException("frame of " + Integer.toUnsignedString(len) + " bytes exceeds the limit of "
              + maxFrameBytes + " bytes");
        }
        if (buf.length - at - 4 < len) break;
        out.add(parse(buf, at + 4, len));
        at += 4 + len;
      }
      pending.reset();
      pending.write(buf, at, buf.length - at);
      return out;
    }

    /** Bytes of an incomplete frame still waiting for the rest. */
    public int buffered() {
      return pending.size();
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
