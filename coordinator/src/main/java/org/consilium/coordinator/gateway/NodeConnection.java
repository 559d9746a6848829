package org.consilium.coordinator.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.security.cert.X509Certificate;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;

/** One authenticated node connection: the identity comes from its certificate, never from its frames. */
public final class NodeConnection {
  private final String nodeId;
  private final X509Certificate certificate;
  private final NetSocket socket;
  private volatile org.consilium.analytics.wire.Hello hello = org.consilium.analytics.wire.Hello.getDefaultInstance();

  private final int maxFrameBytes;
  private final java.util.concurrent.atomic.LongAdder sentBytes;

  /**
   * What may wait unsent is bounded: a peer that stops reading is closed, not buffered for. Before
   * its HELLO a peer gets only short errors, so the bound is small until then.
   */
  NodeConnection(String nodeId, X509Certificate certificate, NetSocket socket, int maxFrameBytes, int preHelloQueueBytes,
      java.util.concurrent.atomic.LongAdder sentBytes) {
    this.sentBytes = sentBytes;
    this.nodeId = nodeId;
    this.certificate = certificate;
    this.socket = socket;
    this.maxFrameBytes = maxFrameBytes;
    socket.setWriteQueueMaxSize(preHelloQueueBytes);
  }

  public String nodeId() {
    return nodeId;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** What the node said about itself when it connected (datasets, policy, datasheet answers). */
  public org.consilium.analytics.wire.Hello hello() {
    return hello;
  }

  void hello(org.consilium.analytics.wire.Hello h) {
    this.hello = h;
    socket.setWriteQueueMaxSize(2 * maxFrameBytes);
  }

  public void send(Frame frame) {
    if (socket.writeQueueFull()) {
      // Frames the peer has not read add up: drop the connection rather than hold them.
      abort(socket);
      return;
    }
    byte[] bytes = FrameCodec.encode(frame.toBuilder().setSender("coordinator").build());
    sentBytes.add(bytes.length);
    socket.write(Buffer.buffer(bytes));
  }

  /**
   * Closes at once, discarding unsent bytes: a graceful close first flushes what is queued, which
   * never completes for a peer that does not read. (Through Vert.x's internal channel access.)
   */
  static void abort(NetSocket socket) {
    if (socket instanceof io.vertx.core.internal.net.StreamChannelInternal internal) internal.channelHandlerContext().channel().close();
    else socket.close();
  }

  NetSocket socket() {
    return socket;
  }

  void close() {
    socket.close();
  }
}
