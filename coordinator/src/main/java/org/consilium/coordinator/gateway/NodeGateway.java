package org.consilium.coordinator.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.Hello;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.wire.PolicySummary;
import org.consilium.analytics.wire.Welcome;
import org.consilium.coordinator.config.CoordinatorConfig;
import org.consilium.coordinator.state.ClusterState;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.identity.CertificateExpiry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts node connections: TLS with client certificates required and the consortium CA as the
 * only trust anchor, so a client without a consortium certificate never completes the
 * handshake. A connection is a node only if its certificate says so (OU=node), and its first
 * frame must be a HELLO naming the same id as the certificate. Frames are size-bounded;
 * malformed ones get an ERROR, an oversized one closes the connection.
 */
public final class NodeGateway {
  private static final Logger log = LoggerFactory.getLogger(NodeGateway.class);
  private final Vertx vertx;
  private final CoordinatorConfig config;
  private final ClusterState state;
  private final TrafficRecorder recorder;
  private final Map<String, NodeConnection> connections = new HashMap<>();
  private final AuditRequests auditRequests;
  private final NodeRegistry registry;
  private BiConsumer<NodeConnection, Frame> frameHandler = (c, f) -> {};
  private Consumer<String> disconnectHandler = id -> {};
  private NetServer server;

  public NodeGateway(Vertx vertx, CoordinatorConfig config, ClusterState state, TrafficRecorder recorder, Trust trust, AuditLog audit) {
    this.vertx = vertx;
    this.trust = trust;
    this.config = config;
    this.state = state;
    this.recorder = recorder;
    this.registry = new NodeRegistry(vertx, state, config.id());
    this.auditRequests = new AuditRequests(vertx);
    this.gate = new ConnectionGate(vertx, config.limits(), trust);
    this.trustWatch = new TrustWatch(vertx, trust, audit, gate, connections::values);
  }

  public void onFrame(BiConsumer<NodeConnection, Frame> handler) {
    this.frameHandler = handler;
  }

  public void onDisconnect(Consumer<String> handler) {
    this.disconnectHandler = handler;
  }

  public Future<NetServer> start() {
    NetServerOptions options = new NetServerOptions()
        .setHost(config.nodesHost()).setPort(config.nodesPort())
        .setSsl(true).setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.certificate().toString())
            .setKeyPath(config.privateKey().toString()))
        .setTrustOptions(new PemTrustOptions().addCertPath(config.ca().toString()))
        .setSslHandshakeTimeout(10)
        // A node heartbeats an idle link; one silent for three beats is gone (a firewall may drop a link without a word).
        .setReadIdleTimeout(3 * config.heartbeatSeconds()).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS)
        .setEnabledSecureTransportProtocols(org.consilium.analytics.identity.TlsPolicy.PROTOCOLS);
    org.consilium.analytics.identity.TlsPolicy.CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    server = vertx.createNetServer(options);
    server.connectHandler(this::accept);
    trustWatch.start();
    return server.listen();
  }

  private static final Frame HEARTBEAT = FrameCodec.frame(MessageType.HEARTBEAT, "", 0, com.google.protobuf.Empty.getDefaultInstance());

  /** The most a peer may send in one frame before its HELLO: a HELLO is a few kilobytes. */
  static final int PRE_HELLO_MAX_FRAME = 64 * 1024;
  private final Trust trust;
  private final ConnectionGate gate;
  private final TrustWatch trustWatch;
  private final java.util.concurrent.atomic.LongAdder receivedBytes = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder sentBytes = new java.util.concurrent.atomic.LongAdder();

  /** Bytes received from and sent to nodes on this instance, since it started (TLS payload, frames with their length prefix). */
  public long receivedBytes() {
    return receivedBytes.sum();
  }

  public long sentBytes() {
    return sentBytes.sum();
  }

  /** The consortium's members and their pinned certificates (the API rotates keys through it). */
  public Members members() {
    return trust.members();
  }



  public int actualPort() {
    return server.actualPort();
  }

  public NodeConnection connection(String nodeId) {
    return connections.get(nodeId);
  }

  /** The certificates of the nodes connected now (their expiry is a metric). */
  public List<X509Certificate> connectedCertificates() {
    return connections.values().stream().map(NodeConnection::certificate).toList();
  }

  public List<String> connectedNodes() {
    return connections.keySet().stream().sorted().toList();
  }

  private void accept(NetSocket socket) {
    var admitted = gate.admit(socket);
    if (admitted.isEmpty()) return;
    String id = admitted.get().nodeId();
    X509Certificate cert = admitted.get().certificate();
    CoordinatorConfig.Limits limits = config.limits();
    // Before HELLO a peer is only a certificate: it gets small frames and a deadline.
    FrameCodec.Decoder decoder = new FrameCodec.Decoder(Math.min(PRE_HELLO_MAX_FRAME, config.maxFrameBytes()));
    NodeConnection conn = new NodeConnection(id, cert, socket, config.maxFrameBytes(), PRE_HELLO_MAX_FRAME, sentBytes);
    boolean[] greeted = {false};
    int[] malformed = {0};
    long helloTimer = vertx.setTimer(limits.helloSeconds() * 1000L, t -> {
      if (!greeted[0]) {
        log.warn("node {}: no HELLO within {} s; closing the connection", id, limits.helloSeconds());
        gate.reject(socket, "hello_timeout", "no HELLO within " + limits.helloSeconds() + " s");
      }
    });
    RateLimitedLog warnings = new RateLimitedLog(log, "node " + id);
    socket.handler(buf -> {
      byte[] bytes = buf.getBytes();
      receivedBytes.add(bytes.length);
      if (recorder != null) recorder.record(id, bytes);
      List<FrameCodec.Decoded> frames;
      try {
        frames = decoder.feed(bytes);
      } catch (FrameCodec.FramingException e) {
        warnings.warn(e.getMessage() + "; closing the connection");
        gate.reject(socket, "frame_too_large", e.getMessage());
        return;
      }
      for (FrameCodec.Decoded d : frames) {
        if (d.error() != null) {
          warnings.warn("refused frame: " + d.error());
          if (++malformed[0] >= limits.maxMalformedFrames()) {
            gate.reject(socket, "too_many_malformed_frames", malformed[0] + " malformed frames; closing the connection");
            return;
          }
          conn.send(FrameCodec.error("", "malformed", d.error()));
          continue;
        }
        Frame f = d.frame();
        if (!greeted[0]) {
          if (f.getType() != MessageType.HELLO) {
            gate.reject(socket, "hello_required", "the first frame must be HELLO, got " + f.getType());
            return;
          }
          Hello hello;
          try {
            hello = FrameCodec.payload(f, Hello.parser());
          } catch (IllegalArgumentException e) {
            gate.reject(socket, "malformed", "the HELLO does not parse: " + e.getMessage());
            return;
          }
          if (!hello.getNodeId().equals(id)) {
            gate.reject(socket, "identity_mismatch", "HELLO names '" + hello.getNodeId() + "' but the certificate is for '" + id + "'");
            return;
          }
          greeted[0] = true;
          vertx.cancelTimer(helloTimer);
          decoder.maxFrameBytes(config.maxFrameBytes());
          register(conn, hello);
          continue;
        }
        if (f.getType() == MessageType.HEARTBEAT) {
          conn.send(HEARTBEAT);
          continue;
        }
        if (f.getType() == MessageType.NODE_STATUS) {
          updateStatus(conn, f);
          continue;
        }
        if (auditRequests.answers(f)) {
          auditRequests.answer(conn, f);
          continue;
        }
        frameHandler.accept(conn, f);
      }
    });
    socket.closeHandler(v -> {
      gate.release(id);
      vertx.cancelTimer(helloTimer);
      warnings.summary();
      if (connections.get(id) == conn) {
        connections.remove(id);
        registry.markOffline(id);
        log.info("node {} disconnected", id);
        disconnectHandler.accept(id);
      }
    });
    socket.exceptionHandler(e -> log.debug("node {}: {}", id, e.getMessage()));
  }

  private void register(NodeConnection conn, Hello hello) {
    conn.hello(hello);
    NodeConnection previous = connections.put(conn.nodeId(), conn);
    if (previous != null) {
      log.info("node {} reconnected; closing its previous connection", conn.nodeId());
      previous.close();
    }
    registry.registered(conn.nodeId(), hello, Members.fingerprint(conn.certificate()), conn.certificate().getNotAfter().toInstant());
    conn.send(FrameCodec.frame(MessageType.WELCOME, "", 0, Welcome.newBuilder().setCoordinatorId(config.id())
        .setMaxFrameBytes(config.maxFrameBytes()).build()));
    trustWatch.greet(conn);
    CertificateExpiry.warnIfNear("the certificate of node " + conn.nodeId(), conn.certificate());
    log.info("node {} registered (datasets {})", conn.nodeId(), hello.getDatasetsList());
  }

  /** A node's budgets changed (it reserved or refunded epsilon): refresh its registry entry. */
  private void updateStatus(NodeConnection conn, Frame f) {
    PolicySummary p;
    try {
      p = FrameCodec.payload(f, PolicySummary.parser());
    } catch (IllegalArgumentException e) {
      conn.send(FrameCodec.error("", "malformed", e.getMessage()));
      return;
    }
    registry.statusChanged(conn.nodeId(), p);
  }

  /**
   * Asks a connected node for a copy of its audit log (the lines of its file). Fails with
   * {@link AuditUnavailableException} if the node is not connected, keeps its log
   * local, does not answer in time, or its log is too large to ship. Runs on the gateway's context.
   */
  public Future<List<String>> requestAuditLog(String nodeId, java.time.Duration timeout) {
    return auditRequests.request(connections.get(nodeId), nodeId, timeout);
  }

  /**
   * Suspends or resumes a node (an administrator's decision): a suspended node stays connected
   * but is offered no new jobs. Returns false if the node was never registered.
   */
  public Future<Boolean> setSuspended(String nodeId, boolean suspend) {
    return registry.setSuspended(nodeId, suspend);
  }

  public boolean isSuspended(String nodeId) {
    return registry.isSuspended(nodeId);
  }

  public Future<Void> stop() {
    trustWatch.stop();
    return server == null ? Future.succeededFuture() : server.close();
  }
}
