package org.consilium.coordinator.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.JobDecision;
import org.consilium.analytics.wire.MessageType;

/**
 * The participants of the newest jobs that ended on this instance (the last 1,000), so that a
 * refusal arriving after its job ended (another site refused first) is still recorded: both
 * audit logs hold every refusal, and the cross-check holds them to it.
 */
final class RecentlyEnded {
  private static final int KEPT = 1000;

  private final Map<String, List<String>> participants = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
      return size() > KEPT;
    }
  };
  private final AuditLog audit;

  RecentlyEnded(AuditLog audit) {
    this.audit = audit;
  }

  void add(LiveJob job) {
    participants.put(job.id, job.participants);
  }

  /** Records a participant's late refusal of an ended job; false if the frame is not one. */
  boolean recordLateRefusal(String node, Frame f) {
    List<String> ended = participants.get(f.getJobId());
    if (f.getType() != MessageType.JOB_REFUSE || ended == null || !ended.contains(node)) return false;
    JobDecision d = FrameCodec.payload(f, JobDecision.parser());
    audit.submit("job.refused", f.getJobId(), "node", node, "policy", d.getPolicy(), "reason", d.getReason(),
        "node_head", d.getNodeAuditHead(), "after_end", "true");
    return true;
  }
}
