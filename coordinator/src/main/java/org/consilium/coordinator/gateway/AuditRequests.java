package org.consilium.coordinator.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.MessageType;

/**
 * Audit logs fetched from nodes for the administrators: AUDIT_REQUEST out with a fresh request
 * id, the node's AUDIT_LOG (or ERROR) in under that id, from that node only, within a deadline.
 */
final class AuditRequests {
  private final Vertx vertx;
  private final Map<String, AuditRequest> pending = new HashMap<>();

  AuditRequests(Vertx vertx) {
    this.vertx = vertx;
  }

  /** True when the frame answers a request in flight. */
  boolean answers(Frame f) {
    return pending.containsKey(f.getJobId()) && (f.getType() == MessageType.AUDIT_LOG || f.getType() == MessageType.ERROR);
  }

  private record AuditRequest(String nodeId, io.vertx.core.Promise<List<String>> answer, long timer) {}


  /** Sends the request; the answer completes the future (or the timeout fails it). */
  Future<List<String>> request(NodeConnection c, String nodeId, java.time.Duration timeout) {
    if (c == null) {
      return Future.failedFuture(new AuditUnavailableException("node '" + nodeId + "' is not connected; read its log on the node with consilium-audit"));
    }
    String id = "audit-" + java.util.UUID.randomUUID();
    io.vertx.core.Promise<List<String>> answer = io.vertx.core.Promise.promise();
    long timer = vertx.setTimer(timeout.toMillis(), t -> {
      if (pending.remove(id) != null) {
        answer.tryFail(new AuditUnavailableException("node '" + nodeId + "' did not send its audit log within " + timeout.toSeconds() + " s"));
      }
    });
    pending.put(id, new AuditRequest(nodeId, answer, timer));
    c.send(FrameCodec.frame(MessageType.AUDIT_REQUEST, id, 0, com.google.protobuf.Empty.getDefaultInstance()));
    return answer.future();
  }

  void answer(NodeConnection conn, Frame f) {
    AuditRequest r = pending.get(f.getJobId());
    if (!r.nodeId().equals(conn.nodeId())) {
      conn.send(FrameCodec.error(f.getJobId(), "not_yours", "this audit request was sent to another node"));
      return;
    }
    pending.remove(f.getJobId());
    vertx.cancelTimer(r.timer());
    try {
      if (f.getType() == MessageType.ERROR) {
        r.answer().tryFail(new AuditUnavailableException("node '" + conn.nodeId() + "': "
            + FrameCodec.payload(f, org.consilium.analytics.wire.ErrorReport.parser()).getMessage()));
      } else {
        r.answer().tryComplete(FrameCodec.payload(f, org.consilium.analytics.wire.AuditLogCopy.parser()).getLinesList());
      }
    } catch (IllegalArgumentException e) {
      r.answer().tryFail(new AuditUnavailableException("node '" + conn.nodeId() + "' sent a malformed audit log: " + e.getMessage()));
    }
  }
}
