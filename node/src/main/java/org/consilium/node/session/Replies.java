package org.consilium.node.session;

import com.google.protobuf.MessageLite;
import java.util.List;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.JobDecision;
import org.consilium.analytics.wire.MessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The frames a node sends: stamped with its id, a refusal audited, its budgets as they are now. */
final class Replies {
  private static final Logger log = LoggerFactory.getLogger(Replies.class);
  private final String nodeId;
  private final AuditLog audit;
  private final NodeReports reports;

  Replies(String nodeId, AuditLog audit, NodeReports reports) {
    this.nodeId = nodeId;
    this.audit = audit;
    this.reports = reports;
  }

  Frame status() {
    return reports.status();
  }

  /** The budgets, if they changed. */
  List<Frame> statusIf(boolean budgetsChanged) {
    return budgetsChanged ? List.of(status()) : List.of();
  }

  /** A step's frames, stamped with this node and the step. */
  List<Frame> tagged(List<Frame> frames, int step) {
    return frames.stream().map(fr -> fr.toBuilder().setSender(nodeId).setStep(step).build()).toList();
  }

  /** A refusal of a job under a rule, audited. */
  Frame refuse(String jobId, String rule, String reason) {
    log.info("job {} refused by {}: {}", jobId, rule, reason);
    audit.submit("job.refused", jobId, "policy", rule, "reason", reason);
    return frame(MessageType.JOB_REFUSE, jobId, 0, JobDecision.newBuilder().setAccepted(false).setPolicy(rule).setReason(reason)
        .setNodeAuditHead(audit.head()).build());
  }

  /** A request refused, naming why, with the budgets if refusing it refunded the job's reservation. */
  List<Frame> refused(String jobId, String why, boolean refunded) {
    Frame refusal = error(jobId, "refused", why);
    return refunded ? List.of(refusal, status()) : List.of(refusal);
  }

  Frame error(String jobId, String code, String message) {
    return FrameCodec.error(jobId, code, message).toBuilder().setSender(nodeId).build();
  }

  Frame frame(MessageType type, String jobId, int round, MessageLite payload) {
    return FrameCodec.frame(type, jobId, round, payload).toBuilder().setSender(nodeId).build();
  }
}
