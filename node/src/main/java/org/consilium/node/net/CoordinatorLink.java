package org.consilium.node.net;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.List;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.session.NodeAgent;
import org.consilium.analytics.identity.Revocations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one long-lived connection: it dials out to the coordinator over mutually
 * authenticated TLS (its own certificate, the consortium CA as the only trust anchor, and
 * hostname verification of the coordinator), feeds received frames to the {@link NodeAgent}
 * and writes back what it answers. It heartbeats an idle link and closes one that stays silent
 * for three beats; after a lost connection it dials the next coordinator instance of
 * {@code coordinator.endpoints} (waiting {@code network.reconnect_seconds} once all were tried)
 * and resumes its jobs there. Jobs no instance resumes within {@code network.job_grace_seconds}
 * are dropped.
 */
public final class CoordinatorLink {
  private static final Logger log = LoggerFactory.getLogger(CoordinatorLink.class);
  private final Vertx vertx;
  private final NodeConfig config;
  private final NodeAgent agent;
  private final NetClient client;
  private volatile boolean stopped;
  private int endpoint;
  private int failedInARow;
  private NetSocket current;
  private final Revocations revocations;

  /** The replies sent last: later replies are chained behind them, so they leave in order. */
  private java.util.concurrent.CompletableFuture<Void> sent = java.util.concurrent.CompletableFuture.completedFuture(null);

  /**
   * Sends replies once the audit entries recorded while answering are on disk (the agent's
   * group commit, off this event loop), after every earlier reply.
   */
  private void sendAfterAudit(NetSocket socket, List<Frame> replies) {
    if (replies.isEmpty()) return;
    io.vertx.core.Context context = vertx.getOrCreateContext();
    sent = sent.thenCombine(agent.audited(), (a, b) -> (Void) null).whenComplete((v, error) -> context.runOnContext(x -> {
      if (error != null) {
        log.error("the audit log could not be written; replies withheld: {}", error.getMessage());
        return;
      }
      replies.forEach(out -> send(socket, out));
    })).exceptionally(e -> null);
  }

  public CoordinatorLink(Vertx vertx, NodeConfig config, NodeAgent agent, Revocations revocations) {
    this.vertx = vertx;
    this.revocations = revocations;
    this.config = config;
    this.agent = agent;
    this.client = vertx.createNetClient(clientOptions(config));
    // Offers' admissions, steps' passes over the data and threshold decryptions run on a worker, not this
    // event loop (which keeps the heartbeat and an abort flowing: an abort stops a decryption); the answer
    // comes back here and leaves on the connection of the moment.
    agent.onSlowWork((work, back, inOrder) -> vertx.executeBlocking(work, inOrder).onComplete(r -> {
      List<Frame> out = back.apply(r.succeeded() ? r.result() : null, r.failed() ? r.cause() : null);
      NetSocket socket = current;
      if (socket != null) sendAfterAudit(socket, out);
    }));
  }

  /** How a node dials a coordinator: mutual TLS with its kit's key, the consortium CA as the only trust anchor, host names checked. */
  static NetClientOptions clientOptions(NodeConfig config) {
    NetClientOptions options = new NetClientOptions()
        .setSsl(true)
        .setHostnameVerificationAlgorithm("HTTPS")
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.certificate().toString())
            .setKeyPath(config.privateKey().toString()))
        .setTrustOptions(new PemTrustOptions().addCertPath(config.ca().toString()))
        .setConnectTimeout(10_000)
        .setReadIdleTimeout(3 * config.heartbeatSeconds()).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS)
        .setEnabledSecureTransportProtocols(org.consilium.analytics.identity.TlsPolicy.PROTOCOLS);
    org.consilium.analytics.identity.TlsPolicy.CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options;
  }

  public void start() {
    connect();
    long beat = config.heartbeatSeconds() * 1000L;
    vertx.setPeriodic(beat, beat, id -> {
      if (current != null) send(current, HEARTBEAT);
      List<Frame> status = agent.expire(System.currentTimeMillis(), config.jobGraceSeconds() * 1000L);
      if (current != null) status.forEach(f -> send(current, f));
    });
  }

  private static final Frame HEARTBEAT = FrameCodec.frame(org.consilium.analytics.wire.MessageType.HEARTBEAT, "", 0,
      com.google.protobuf.Empty.getDefaultInstance());

  private String host() {
    String e = config.coordinatorEndpoints().get(endpoint);
    return e.substring(0, e.lastIndexOf(':'));
  }

  private int port() {
    String e = config.coordinatorEndpoints().get(endpoint);
    return Integer.parseInt(e.substring(e.lastIndexOf(':') + 1));
  }

  /** Whether a link to a coordinator instance is up now. */
  public boolean connected() {
    return current != null;
  }

  public void stop() {
    stopped = true;
    client.close();
  }

  private void connect() {
    if (stopped) return;
    String host = host();
    int port = port();
    client.connect(port, host).onSuccess(this::attach).onFailure(e -> {
      log.warn("cannot reach coordinator at {}:{}: {}", host, port, e.getMessage());
      redial();
    });
  }

  /** Dials the next instance: at once while some were not tried since the last success, else after a pause. */
  private void redial() {
    if (stopped) return;
    endpoint = (endpoint + 1) % config.coordinatorEndpoints().size();
    failedInARow++;
    if (failedInARow < config.coordinatorEndpoints().size()) {
      vertx.runOnContext(v -> connect());
    } else {
      failedInARow = 0;
      vertx.setTimer(config.reconnectSeconds() * 1000L, id -> connect());
    }
  }

  private void attach(NetSocket socket) {
    if (revokedCoordinator(socket)) {
      socket.close();
      redial(); // the close handler is not set yet
      return;
    }
    log.info("connected to coordinator {}:{} over mutually authenticated TLS", host(), port());
    current = socket;
    FrameCodec.Decoder decoder = new FrameCodec.Decoder(config.maxFrameBytes());
    socket.setWriteQueueMaxSize(2 * config.maxFrameBytes());
    int[] malformed = {0};
    socket.handler(buf -> {
      List<FrameCodec.Decoded> decoded;
      try {
        decoded = decoder.feed(buf.getBytes());
      } catch (FrameCodec.FramingException e) {
        log.warn("closing connection: {}", e.getMessage());
        send(socket, FrameCodec.error("", "framing", e.getMessage()));
        socket.close();
        return;
      }
      for (FrameCodec.Decoded d : decoded) {
        if (d.error() != null) {
          // The first few are logged; past MAX_MALFORMED the connection is closed (and redialled).
          if (++malformed[0] <= MAX_MALFORMED) log.warn("refused a frame from the coordinator: {}", d.error());
          if (malformed[0] >= MAX_MALFORMED) {
            log.warn("closing the connection after {} malformed frames", malformed[0]);
            socket.close();
            return;
          }
          send(socket, FrameCodec.error("", "malformed", d.error()));
          continue;
        }
        if (isNotOwner(d.frame())) {
          // This instance does not drive one of our jobs: try another (the job waits meanwhile).
          agent.onFrame(d.frame());
          socket.close();
          return;
        }
        List<Frame> replies = agent.onFrame(d.frame());
        if (d.frame().getType() == org.consilium.analytics.wire.MessageType.REVOCATIONS && revokedCoordinator(socket)) {
          socket.close(); // the list it relayed revokes its own certificate: no more frames from it
          return;
        }
        if (config.roundDelayMillis() > 0 && d.frame().getType().name().startsWith("SECAGG_")) {
          // Fault injection for drills and tests (debug.round_delay_ms): answer protocol rounds late.
          vertx.setTimer(config.roundDelayMillis(), id -> replies.forEach(out -> send(socket, out)));
        } else {
          sendAfterAudit(socket, replies);
        }
      }
    });
    socket.closeHandler(v -> {
      log.warn("connection to coordinator {}:{} closed", host(), port());
      if (current == socket) current = null;
      agent.onDisconnect(System.currentTimeMillis());
      redial();
    });
    socket.exceptionHandler(e -> log.warn("connection error: {}", e.getMessage()));
    send(socket, agent.hello());
    agent.resumeFrames().forEach(f -> send(socket, f));
    failedInARow = 0;
  }

  /** Whether the coordinator's certificate on this connection is revoked (logged as an error). */
  private boolean revokedCoordinator(NetSocket socket) {
    try {
      var revoked = revocations.refusal((java.security.cert.X509Certificate) socket.peerCertificates().get(0));
      revoked.ifPresent(r -> log.error("refusing coordinator {}:{}: {}", host(), port(), r));
      return revoked.isPresent();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      log.error("refusing coordinator {}:{}: no verified certificate", host(), port());
      return true;
    }
  }

  private static boolean isNotOwner(Frame f) {
    if (f.getType() != org.consilium.analytics.wire.MessageType.ERROR) return false;
    try {
      return NodeAgent.NOT_OWNER.equals(FrameCodec.payload(f, org.consilium.analytics.wire.ErrorReport.parser()).getCode());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Malformed frames from the coordinator before the node closes the connection. */
  static final int MAX_MALFORMED = 10;

  private static void send(NetSocket socket, Frame f) {
    if (socket.writeQueueFull()) {
      // The coordinator stopped reading: drop the connection at once (a graceful close would wait to
      // flush) and reconnect, rather than buffer without bound.
      if (socket instanceof io.vertx.core.internal.net.StreamChannelInternal internal) internal.channelHandlerContext().channel().close();
      else socket.close();
      return;
    }
    socket.write(Buffer.buffer(FrameCodec.encode(f)));
  }
}
