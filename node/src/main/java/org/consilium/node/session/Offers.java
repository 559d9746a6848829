package org.consilium.node.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.JobDecision;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.MessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's answers to job offers. Admission reads the data (the cohort, the computation's pass
 * for a one-step job, for Paillier its encryption), so it runs on the worker, in order with the
 * other offers: each budget check sees the reservation of the one before it. An offer is
 * answered once (a repeat while it is admitted gets nothing, one afterwards the same answer);
 * an abort that arrives meanwhile is kept, and the reservation goes back when the admission is.
 */
final class Offers {
  private static final Logger log = LoggerFactory.getLogger(Offers.class);
  private final Admission admission;
  private final AggregationBackend backends;
  private final InFlightJobs jobs;
  private final AuditLog audit;
  private final Replies replies;
  private final Worker worker;
  private NodeAgent.Decisions decisions = (accepted, rule) -> {};
  /** Offers being admitted, each with why it was aborted meanwhile ("" while it was not). */
  private final Map<String, String> admitting = new HashMap<>();

  Offers(Admission admission, AggregationBackend backends, InFlightJobs jobs, AuditLog audit, Replies replies, Worker worker) {
    this.admission = admission;
    this.backends = backends;
    this.jobs = jobs;
    this.audit = audit;
    this.replies = replies;
    this.worker = worker;
  }

  void onDecision(NodeAgent.Decisions listener) {
    this.decisions = listener;
  }

  /** True if the job is still being admitted: the abort is kept and acted on when its admission is back. */
  boolean abortWhileAdmitting(String jobId, String why) {
    if (!admitting.containsKey(jobId)) return false;
    admitting.put(jobId, why.isEmpty() ? "aborted" : why);
    return true;
  }

  /** Answers an offer: at once if the job id was offered before, otherwise once it is admitted (on the worker, in order). */
  List<Frame> onOffer(Frame f, JobOffer offer) {
    String jobId = f.getJobId();
    JobSpec spec = offer.getSpec();
    if (!spec.getJobId().equals(jobId) || jobId.isBlank()) throw new IllegalArgumentException("offer's job id does not match its frame");
    if (admitting.containsKey(jobId)) return List.of(); // a repeat while the offer is admitted: answered once, when it is
    audit.submit("job.offered", jobId, "computation", JobSpecs.computation(spec), "dataset", spec.getDataset(),
        "epsilon", Double.toString(spec.getPrivacy().getEpsilon()), "aggregation", spec.getAggregation().name(),
        "spec_sha256", JobSpecs.digest(spec), "coordinator_head", offer.getCoordinatorAuditHead());
    if (jobs.known(jobId)) {
      return List.of(replies.refuse(jobId, "job_id", "job '" + jobId + "' was already offered to this node"));
    }
    admitting.put(jobId, "");
    Admitting[] outcome = new Admitting[1];
    return worker.run(() -> {
      outcome[0] = admit(offer);
      return List.of();
    }, (none, error) -> {
      String aborted = admitting.remove(jobId);
      if (error != null) {
        log.warn("job {}: JOB_OFFER refused: {}", jobId, error.getMessage());
        // Failed after its reservation (building the first step, say): nothing left, the budget goes back.
        return replies.refused(jobId, "JOB_OFFER: " + error.getMessage(), jobs.refundFailedAdmission(jobId, error.getMessage()));
      }
      if (!aborted.isEmpty() && outcome[0].decision() instanceof Admission.Admitted admitted) {
        // Aborted while it was admitted: none of its frames leave, its reservation goes back.
        decisions.decided(true, "");
        jobs.add(admitted.job());
        return replies.statusIf(jobs.abort(jobId, aborted));
      }
      List<Frame> out = answerOffer(jobId, offer, outcome[0]);
      AcceptedJob job = jobs.get(jobId);
      if (job == null) return out;
      List<Frame> forJob = out.stream().filter(o -> o.getType() != MessageType.NODE_STATUS).toList();
      job.answered(f, forJob);
      job.sent(forJob);
      return out;
    }, true);
  }

  /** An offer's admission and, for a one-step computation accepted, its step's session and first frames. */
  private record Admitting(Admission.Decision decision, JobSession opening, List<Frame> openingFrames) {}

  private Admitting admit(JobOffer offer) {
    Admission.Decision decision = admission.admit(offer);
    if (!(decision instanceof Admission.Admitted admitted)) return new Admitting(decision, null, List.of());
    AcceptedJob job = admitted.job();
    var step = admitted.computation().openingStep();
    if (step.isEmpty()) return new Admitting(decision, null, List.of());
    // A one-step computation starts now, among everyone offered, with the offer's session.
    JobSession session = backends.session(job, 0, new TreeSet<>(job.peers.keySet()), offer.getSessionId().toByteArray(),
        job.contributor.input(step.get()));
    return new Admitting(decision, session, session.start());
  }

  private List<Frame> answerOffer(String jobId, JobOffer offer, Admitting outcome) {
    JobSpec spec = offer.getSpec();
    if (outcome.decision() instanceof Admission.Refused r) {
      decisions.decided(false, r.rule());
      return List.of(replies.refuse(jobId, r.rule(), r.reason()));
    }
    decisions.decided(true, "");
    Admission.Admitted admitted = (Admission.Admitted) outcome.decision();
    AcceptedJob job = admitted.job();
    double reserved = admitted.reserved();
    jobs.add(job);
    audit.submit("job.accepted", jobId, "dataset", admitted.dataset(), "epsilon_reserved",
        JobSpecs.isExact(spec) ? "0 (exact release)" : Double.toString(reserved), "threshold", Integer.toString(job.threshold),
        "data_fingerprint", admitted.dataFingerprint());
    log.info("job {} accepted: {} on dataset {}, epsilon {}, {} participants, threshold {}, {}", jobId, JobSpecs.computation(spec),
        admitted.dataset(), spec.getPrivacy().getEpsilon(), job.peers.size(), job.threshold, spec.getAggregation());
    List<Frame> out = new ArrayList<>();
    out.add(replies.frame(MessageType.JOB_ACCEPT, jobId, 0, JobDecision.newBuilder().setAccepted(true)
        .setEpsilonReserved(reserved).setNodeAuditHead(audit.head()).setDataSha256(admitted.dataFingerprint()).build()));
    out.add(replies.status());
    if (outcome.opening() != null) {
      job.claim(0, offer.toByteString());
      job.started(0, outcome.opening());
      out.addAll(replies.tagged(outcome.openingFrames(), 0));
      jobs.markIfSent(job);
    }
    return out;
  }
}
