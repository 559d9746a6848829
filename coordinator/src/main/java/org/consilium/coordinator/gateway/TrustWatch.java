package org.consilium.coordinator.gateway;

import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.wire.RevocationListCopy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a running gateway in line with the administrator's changes: every few seconds it looks
 * at the members file and the revocation list again, audits what changed, cuts off connected
 * nodes no longer trusted, and relays a newer revocation list to every connected node (each new
 * connection gets the current one when it is greeted).
 */
final class TrustWatch {
  private static final Logger log = LoggerFactory.getLogger(TrustWatch.class);
  /** How often the members file and the revocation list are looked at. */
  private static final long REFRESH_MS = 2_000;
  private final Vertx vertx;
  private final Trust trust;
  private final AuditLog audit;
  private final ConnectionGate gate;
  private final Supplier<Collection<NodeConnection>> connections;
  private long timer = -1;

  TrustWatch(Vertx vertx, Trust trust, AuditLog audit, ConnectionGate gate, Supplier<Collection<NodeConnection>> connections) {
    this.vertx = vertx;
    this.trust = trust;
    this.audit = audit;
    this.gate = gate;
    this.connections = connections;
  }

  void start() {
    timer = vertx.setPeriodic(REFRESH_MS, t -> refresh());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /** A node was just welcomed: it gets the current revocation list. */
  void greet(NodeConnection conn) {
    trust.revocations().current().ifPresent(list -> conn.send(FrameCodec.frame(MessageType.REVOCATIONS, "", 0,
        RevocationListCopy.newBuilder().setCrlDer(com.google.protobuf.ByteString.copyFrom(list.der())).build())));
  }

  /** Re-reads the files and audits what changed on a worker (file reads, an fsynced entry), then acts on the event loop. */
  private void refresh() {
    vertx.executeBlocking(this::readAndAudit).onFailure(e -> log.error("membership or revocation list not re-read: {}", e.getMessage()))
        .onSuccess(changes -> {
          if (!changes.any()) return;
          if (changes.newRevocationList()) connections.get().forEach(this::greet);
          for (NodeConnection c : List.copyOf(connections.get())) {
            trust.refusal(c.nodeId(), c.certificate()).ifPresent(r -> {
              log.warn("node {} cut off: {}", c.nodeId(), r.reason());
              gate.reject(c.socket(), r.code(), r.reason());
            });
          }
        });
  }

  private Trust.Changes readAndAudit() {
    Trust.Changes changes = trust.refresh();
    Members.Change m = changes.members();
    if (!m.isEmpty()) {
      log.info("consortium members changed: added {}, removed {}, new certificate for {}", m.added(), m.removed(), m.repinned());
      audit.append("members.changed", "", "added", String.join(",", m.added()), "removed", String.join(",", m.removed()),
          "repinned", String.join(",", m.repinned()));
    }
    if (changes.newRevocationList()) {
      var list = trust.revocations().current().orElseThrow();
      audit.append("crl.updated", "", "number", list.number().toString(), "revoked", Integer.toString(list.size()));
    }
    return changes;
  }
}
