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

  NodeConnection(String nodeId, X509Certificate certificate, NetSocket socket) {
    this.nodeId = nodeId;
    this.certificate = certificate;
    this.socket = socket;
  }

  public String nodeId() {
    return nodeId;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public void send(Frame frame) {
    socket.write(Buffer.buffer(FrameCodec.encode(frame.toBuilder().setSender("coordinator").build())));
  }

  void close() {
    socket.close();
  }
}
