package org.consilium.coordinator.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.identity.Participants;
import org.consilium.coordinator.config.CoordinatorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may hold a node connection, before a single frame is read: a verified client certificate
 * whose role is node, of a current member whose pinned certificate it is, not revoked, within the connection
 * limits (per node and in all). A refused peer is told why and cut off.
 */
final class ConnectionGate {
  private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);
  /** How long a rejected peer has to read its farewell before the connection is cut. */
  private static final long REJECT_GRACE_MS = 2_000;

  private final Vertx vertx;
  private final CoordinatorConfig.Limits limits;
  private final Trust trust;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, Integer> openPerNode = new ConcurrentHashMap<>();

  ConnectionGate(Vertx vertx, CoordinatorConfig.Limits limits, Trust trust) {
    this.vertx = vertx;
    this.limits = limits;
    this.trust = trust;
  }

  /** A peer let in: its node id and certificate. It counts against the limits until {@link #release}. */
  record Admitted(String nodeId, X509Certificate certificate) {}

  /** Lets the peer in, or refuses it (saying why) and returns empty. */
  Optional<Admitted> admit(NetSocket socket) {
    X509Certificate cert;
    try {
      cert = (X509Certificate) socket.peerCertificates().get(0);
    } catch (SSLPeerUnverifiedException | RuntimeException e) {
      log.warn("refused a connection from {}: no verified client certificate", socket.remoteAddress());
      socket.close();
      return Optional.empty();
    }
    String id = Participants.id(cert);
    if (!Participants.ROLE_NODE.equals(Participants.role(cert)) || id == null) {
      log.warn("refused a connection from {}: certificate '{}' is not a node certificate", socket.remoteAddress(),
          cert.getSubjectX500Principal());
      reject(socket, "not_a_node", "certificate is not a node certificate");
      return Optional.empty();
    }
    var refusal = trust.refusal(id, cert);
    if (refusal.isPresent()) {
      log.warn("refused a connection from {}: {}", socket.remoteAddress(), refusal.get().reason());
      reject(socket, refusal.get().code(), refusal.get().reason());
      return Optional.empty();
    }
    int total = open.incrementAndGet();
    int perNode = openPerNode.merge(id, 1, Integer::sum);
    if (total > limits.maxConnections() || perNode > limits.connectionsPerNode()) {
      release(id);
      log.warn("refused a connection of node {}: {} open for it, {} in all (limits.connections_per_node {}, limits.max_connections {})",
          id, perNode, total, limits.connectionsPerNode(), limits.maxConnections());
      reject(socket, "too_many_connections", "too many connections for '" + id + "' or in all");
      return Optional.empty();
    }
    return Optional.of(new Admitted(id, cert));
  }

  /** An admitted connection closed: it no longer counts against the limits. Call once per admission. */
  void release(String id) {
    open.decrementAndGet();
    openPerNode.computeIfPresent(id, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Reads no more from the peer, says why, and closes; a peer that does not take the farewell is cut off. */
  void reject(NetSocket socket, String code, String message) {
    socket.handler(null);
    if (socket.writeQueueFull()) {
      NodeConnection.abort(socket); // it does not read: no farewell
      return;
    }
    socket.write(Buffer.buffer(FrameCodec.encode(FrameCodec.error("", code, message)))).onComplete(v -> socket.close());
    vertx.setTimer(REJECT_GRACE_MS, t -> NodeConnection.abort(socket));
  }
}
