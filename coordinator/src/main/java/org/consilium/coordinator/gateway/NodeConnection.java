package org.consilium.coordinator.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.security.cert.X509Certificate;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.FrameCodec;

/** One authenticated node connection: the identity comes from its certificate, never from its frames. */
public final class NodeConnection {
  private final String nodeId;
  private final X509Certificate certificate;
  private final NetSocket socket;
  private volatile org.consilium.analytics.wire.Hello hello = org.consilium.analytics.wire.Hello.getDefaultInstance();

  /** maxFrameBytes bounds what may wait unsent: a peer that stops reading is closed, not buffered for. */
  NodeConnection(String nodeId, X509Certificate certificate, NetSocket socket, int maxFrameBytes) {
    this.nodeId = nodeId;
    this.certificate = certificate;
    this.socket = socket;
    socket.setWriteQueueMaxSize(2 * maxFrameBytes);
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
  }

  public void send(Frame frame) {
    if (socket.writeQueueFull()) {
      // Frames the peer has not read add up: close rather than hold them.
      socket.close();
      return;
    }
    socket.write(Buffer.buffer(FrameCodec.encode(frame.toBuilder().setSender("coordinator").build())));
  }

  void close() {
    socket.close();
  }
}
