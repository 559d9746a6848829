package org.consilium.node.net;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.identity.CertificateExpiry;
import org.consilium.analytics.identity.Participants;
import org.consilium.analytics.identity.Revocations;
import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.MessageType;
import org.consilium.node.config.NodeConfig;

/**
 * What {@code --check} says about the network: for each coordinator endpoint, whether the
 * mutual TLS handshake succeeds with this kit, whose certificate answers (and whether it is
 * revoked or near expiry), and whether the coordinator refuses this node (not a member,
 * revoked) within a moment. Sends nothing but the handshake: no HELLO, no job.
 */
public final class ConnectivityCheck {
  private static final Duration REFUSAL_WAIT = Duration.ofMillis(1500);

  private ConnectivityCheck() {}

  /** One line per endpoint; ok is false when any endpoint cannot be used. */
  public record Report(List<String> lines, boolean ok) {}

  public static Report run(NodeConfig config, Revocations revocations) {
    Vertx vertx = Vertx.vertx();
    List<String> lines = new ArrayList<>();
    boolean ok = true;
    try {
      NetClient client = vertx.createNetClient(CoordinatorLink.clientOptions(config).setConnectTimeout(5_000));
      for (String endpoint : config.coordinatorEndpoints()) {
        String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
        int port = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
        CompletableFuture<String> result = new CompletableFuture<>();
        client.connect(port, host).onFailure(e -> result.complete("FAILED: " + e.getMessage())).onSuccess(socket -> inspect(socket, revocations, result));
        String line;
        try {
          line = result.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
          line = "FAILED: no answer within 15 s";
        }
        if (line.startsWith("FAILED") || line.startsWith("REFUSED")) ok = false;
        lines.add("coordinator " + endpoint + ": " + line);
      }
    } finally {
      vertx.close();
    }
    return new Report(lines, ok);
  }

  private static void inspect(NetSocket socket, Revocations revocations, CompletableFuture<String> result) {
    X509Certificate peer;
    try {
      peer = (X509Certificate) socket.peerCertificates().get(0);
    } catch (Exception e) {
      socket.close();
      result.complete("FAILED: no verified coordinator certificate");
      return;
    }
    var revoked = revocations.refusal(peer);
    if (revoked.isPresent()) {
      socket.close();
      result.complete("REFUSED by this node: " + revoked.get());
      return;
    }
    String who = "TLS OK, certificate '" + Participants.id(peer) + "' (expires in " + CertificateExpiry.daysLeft(peer, Instant.now())
        + " days)";
    FrameCodec.Decoder decoder = new FrameCodec.Decoder(64 * 1024);
    socket.handler(buf -> {
      for (FrameCodec.Decoded d : decoder.feed(buf.getBytes())) {
        if (d.frame() != null && d.frame().getType() == MessageType.ERROR) {
          ErrorReport e = FrameCodec.payload(d.frame(), ErrorReport.parser());
          result.complete("REFUSED by the coordinator (" + e.getCode() + "): " + e.getMessage());
          socket.close();
        }
      }
    });
    socket.closeHandler(v -> result.complete(who + "; the coordinator closed the connection"));
    io.vertx.core.Vertx.currentContext().owner().setTimer(REFUSAL_WAIT.toMillis(), t -> {
      result.complete(who + "; admitted (no refusal within " + REFUSAL_WAIT.toMillis() + " ms)");
      socket.close();
    });
  }
}
