package org.consilium.node.session;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.node.ledger.PrivacyLedger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs this node has accepted and not yet seen end, and what ending one costs: a job
 * dropped before anything computed from the data left the node gets its budget reservation
 * back; one dropped after keeps it spent. Also what a lost coordinator link means for them:
 * they wait, for a grace period, for another instance to resume them.
 */
final class InFlightJobs {
  private static final Logger log = LoggerFactory.getLogger(InFlightJobs.class);

  private final Map<String, AcceptedJob> jobs = new HashMap<>();
  private final PrivacyLedger ledger;
  private final AuditLog audit;

  InFlightJobs(PrivacyLedger ledger, AuditLog audit) {
    this.ledger = ledger;
    this.audit = audit;
  }

  AcceptedJob get(String jobId) {
    return jobs.get(jobId);
  }

  /** True if the job was ever offered here (running now, or its reservation is in the ledger). */
  boolean known(String jobId) {
    return jobs.containsKey(jobId) || ledger.hasReservation(jobId);
  }

  void add(AcceptedJob job) {
    jobs.put(job.id, job);
  }

  List<AcceptedJob> all() {
    return List.copyOf(jobs.values());
  }

  /** The job ended with its result (or is dropped without a refund question); true if it was running. */
  boolean remove(String jobId) {
    AcceptedJob job = jobs.remove(jobId);
    if (job != null) job.steps.values().forEach(JobSession::cancel);
    return job != null;
  }

  /**
   * Before the first frame computed from the job's data leaves (the frames are returned and
   * sent after this), the ledger durably records it: a node that stops before then gets its
   * reservation back at the next start, one that stops after does not.
   */
  void markIfSent(AcceptedJob job) {
    if (job.sentMarked || !job.dataSent()) return;
    ledger.dataSent(job.id);
    job.sentMarked = true;
  }

  /** Drops a job; true if that refunded its budget reservation (the budgets changed). */
  boolean abort(String jobId, String why) {
    AcceptedJob job = jobs.remove(jobId);
    if (job == null) return false;
    job.steps.values().forEach(JobSession::cancel); // a decryption still running stops
    boolean refund = !job.dataSent() && ledger.isRefundable(jobId);
    audit.submit("job.aborted", jobId, "reason", why, "refunded", Boolean.toString(refund));
    if (!job.dataSent()) {
      if (refund) ledger.refund(jobId);
      log.info("job {} aborted before any data left this node ({}); nothing spent", jobId, why);
    } else {
      log.info("job {} aborted after data-dependent messages were sent ({}); budget stays spent", jobId, why);
    }
    return refund;
  }

  /** An offer whose admission failed after it reserved: nothing of it left, so its reservation goes back; true if one did. */
  boolean refundFailedAdmission(String jobId, String why) {
    if (jobs.containsKey(jobId) || !ledger.isRefundable(jobId)) return false;
    ledger.refund(jobId);
    audit.submit("job.aborted", jobId, "reason", "admission failed: " + why, "refunded", "true");
    return true;
  }

  /** The connection to the coordinator was lost at nowMillis: every job starts (or keeps) waiting. */
  void orphan(long nowMillis) {
    jobs.values().forEach(j -> {
      if (j.orphanedSince < 0) j.orphanedSince = nowMillis;
    });
  }

  /** Aborts the jobs no coordinator has spoken for since graceMillis before nowMillis; true if budgets changed. */
  boolean expire(long nowMillis, long graceMillis) {
    boolean refunded = false;
    for (AcceptedJob j : all()) {
      if (j.orphanedSince >= 0 && nowMillis - j.orphanedSince >= graceMillis) {
        refunded |= abort(j.id, "no coordinator instance resumed the job within " + graceMillis / 1000 + " s");
      }
    }
    return refunded;
  }
}
