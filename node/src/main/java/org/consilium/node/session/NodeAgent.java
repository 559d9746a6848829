package org.consilium.node.session;

import com.google.protobuf.MessageLite;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.JobDecision;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobResume;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.wire.StepStart;
import org.consilium.he.threshold.KeyShare;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.identity.NodeIdentity;
import org.consilium.node.ledger.PrivacyLedger;
import org.consilium.analytics.identity.Revocations;
import org.consilium.analytics.wire.RevocationListCopy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's protocol logic: frames from the coordinator in, frames to send out. The network
 * connection lives in {@code CoordinatorLink}; this class never touches a socket, so every
 * rule here is testable in one process. Not thread-safe: the link calls it from one thread.
 *
 * <p>A job is accepted once (policy, ledger); it then runs one aggregation per step: a
 * statistics job has the single step 0, started at acceptance; a training job runs the steps
 * the coordinator announces with STEP_START (moments, Newton rounds, evaluation).
 */
public final class NodeAgent {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
  public static final String SOFTWARE_VERSION = org.consilium.analytics.SoftwareVersion.CURRENT;

  private final NodeConfig config;
  private final SecureRandom rng = new SecureRandom();
  private final Admission admission;
  private final AggregationBackend backends;
  private final NodeReports reports;
  private final InFlightJobs jobs;
  private final AuditLog audit;
  private final Revocations revocations;
  private Decisions decisions = (accepted, rule) -> {};

  /** Told of every offer's answer (for the node's metrics): accepted, or refused under a rule. */
  public interface Decisions {
    void decided(boolean accepted, String rule);
  }

  public void onDecision(Decisions listener) {
    this.decisions = listener;
  }

  /**
   * Runs a slow answer (a step's pass over the data, threshold decryption) off the link's thread: work on a worker, then back
   * (on the link's thread) with its frames or its failure, which gives the frames to send.
   */
  public interface SlowWork {
    /**
     * Runs work on a worker and back on the link's thread with its outcome. inOrder: after every
     * earlier piece of work asked in order (offers: each admission sees the budget the one before
     * it reserved); otherwise at once, beside the others.
     */
    void run(java.util.concurrent.Callable<List<Frame>> work, java.util.function.BiFunction<List<Frame>, Throwable, List<Frame>> back,
        boolean inOrder);
  }

  private SlowWork slowWork;
  /** Offers being admitted on a worker, each with why it was aborted meanwhile ("" while it was not). */
  private final Map<String, String> admitting = new java.util.HashMap<>();

  /** Without it (tests), slow answers are computed inline. */
  public void onSlowWork(SlowWork slowWork) {
    this.slowWork = slowWork;
  }

  /** keyShare is this node's share of the consortium's threshold Paillier key, or null if it has none. */
  public NodeAgent(NodeConfig config, NodeIdentity identity, DataDictionary dictionary, Map<String, Dataset> datasets,
      PrivacyLedger ledger, KeyShare keyShare, AuditLog audit) {
    this.audit = audit;
    this.config = config;
    this.revocations = identity.revocations();
    this.reports = new NodeReports(config, ledger, audit);
    this.jobs = new InFlightJobs(ledger, audit);
    this.backends = new AggregationBackend(identity, keyShare, rng);
    this.admission = new Admission(config, identity, dictionary, Map.copyOf(datasets), ledger, keyShare, rng);
  }

  public Frame hello() {
    return reports.hello();
  }

  private Frame status() {
    return reports.status();
  }

  private List<Frame> statusIf(boolean budgetsChanged) {
    return budgetsChanged ? List.of(status()) : List.of();
  }

  /**
   * Completes once every audit entry this agent recorded so far is on disk: the link sends the
   * replies of a frame only then, so nothing a node audits leaves before its entry is durable.
   */
  public java.util.concurrent.CompletableFuture<Void> audited() {
    return audit.flushed();
  }

  /** Handles one frame; returns the frames to send back (possibly none). Never throws. */
  public List<Frame> onFrame(Frame f) {
    if (f.getJobId().isEmpty()) return handle(f);
    try (var logged = org.slf4j.MDC.putCloseable("job", f.getJobId())) { // every log line about the job names it
      return handle(f);
    }
  }

  private List<Frame> handle(Frame f) {
    AcceptedJob job = jobs.get(f.getJobId());
    if (job != null && f.getType() != MessageType.AUDIT_REQUEST && !job.admits(f)) {
      // From an instance that was taken over (a newer owner has spoken): it no longer drives the job.
      log.info("job {}: ignored a {} from an earlier owner (epoch {} < {})", f.getJobId(), f.getType(), f.getEpoch(), job.epoch());
      return List.of();
    }
    if (job != null) {
      var again = job.repeated(f);
      if (again.isPresent()) return again.get(); // a request repeated word for word: the same answer, nothing new
    }
    List<Frame> out = dispatch(f);
    AcceptedJob now = jobs.get(f.getJobId());
    if (now != null) {
      // What concerns the job, not the budgets at that moment (a repeat must not report stale ones).
      List<Frame> forJob = out.stream().filter(o -> o.getType() != MessageType.NODE_STATUS && o.getJobId().equals(now.id)).toList();
      if (REQUESTS.contains(f.getType())) now.answered(f, forJob);
      now.sent(forJob);
    }
    return out;
  }

  /** A revocation list relayed by the coordinator: applied (and audited) if the CA signed it and it is newer. */
  private List<Frame> onRevocations(RevocationListCopy copy) {
    try {
      if (revocations.adopt(copy.getCrlDer().toByteArray(), "the coordinator")) {
        var list = revocations.current().orElseThrow();
        audit.submit("crl.adopted", "", "number", list.number().toString(), "revoked", Integer.toString(list.size()));
      }
      return List.of();
    } catch (IllegalArgumentException e) {
      log.warn("refused a revocation list from the coordinator: {}", e.getMessage());
      return List.of(error("", "revocations", "revocation list refused: " + e.getMessage()));
    }
  }

  private List<Frame> dispatch(Frame f) {
    try {
      return switch (f.getType()) {
        case WELCOME, HEARTBEAT -> List.of();
        case JOB_OFFER -> onOffer(f, FrameCodec.payload(f, JobOffer.parser()));
        case STEP_START -> onStepStart(f);
        case SECAGG_ROSTER, SECAGG_SHARES, SECAGG_UNMASK, HE_DECRYPT -> {
          AcceptedJob job = jobs.get(f.getJobId());
          JobSession s = job == null ? null : job.steps.get(f.getStep());
          if (s == null) {
            yield List.of(error(f.getJobId(), "unknown_job", "this node has no session for job '" + f.getJobId() + "' step " + f.getStep()));
          }
          if (s.slow(f)) {
            // Answered later, off the link's thread; a repeat meanwhile gets nothing (the request is answered as empty now).
            AcceptedJob started = job;
            yield slow(() -> s.onFrame(f), (frames, error) -> slowAnswer(f, started, frames, error), false);
          }
          List<Frame> out = tagged(s.onFrame(f), f.getStep());
          jobs.markIfSent(job);
          yield out;
        }
        case JOB_RESULT -> {
          JobResult r = FrameCodec.payload(f, JobResult.parser());
          if (jobs.remove(f.getJobId())) {
            audit.submit("job.released", f.getJobId(), "result_sha256", AuditLog.digest(f.getPayload().toByteArray()),
                "contributors", String.join(",", r.getAccounting().getContributorsList()));
            log.info("job {} released; contributors {}", f.getJobId(), r.getAccounting().getContributorsList());
          }
          yield List.of();
        }
        case AUDIT_REQUEST -> List.of(reports.auditCopy(f.getJobId()));
        case REVOCATIONS -> onRevocations(FrameCodec.payload(f, RevocationListCopy.parser()));
        case JOB_ABORT -> {
          yield abort(f.getJobId(), FrameCodec.payload(f, ErrorReport.parser()).getMessage());
        }
        case ERROR -> {
          ErrorReport e = FrameCodec.payload(f, ErrorReport.parser());
          if (NOT_OWNER.equals(e.getCode())) {
            // This instance does not drive the job: the link dials another; the job waits.
            log.info("job {}: {}", f.getJobId(), e.getMessage());
            yield List.of();
          }
          log.warn("coordinator reported an error for job '{}': {}", f.getJobId(), e.getMessage());
          // The coordinator no longer runs this job (or refused our message): stop taking part.
          yield abort(f.getJobId(), "coordinator: " + e.getMessage());
        }
        default -> List.of(error(f.getJobId(), "unexpected", "a node does not accept " + f.getType() + " frames"));
      };
    } catch (RuntimeException e) {
      log.warn("job {}: {} frame refused: {}", f.getJobId(), f.getType(), e.getMessage());
      boolean refunded = jobs.abort(f.getJobId(), e.getMessage());
      Frame refusal = error(f.getJobId(), "refused", f.getType() + ": " + e.getMessage());
      return refunded ? List.of(refusal, status()) : List.of(refusal);
    }
  }

  /** Stops taking part in a job; one still being admitted is stopped when its admission is back. */
  private List<Frame> abort(String jobId, String why) {
    if (admitting.containsKey(jobId)) {
      admitting.put(jobId, why.isEmpty() ? "aborted" : why);
      return List.of();
    }
    return statusIf(jobs.abort(jobId, why));
  }

  /** A slow answer is back on the link's thread: sent if its job still runs here, and remembered for repeats and resumes. */
  private List<Frame> slowAnswer(Frame request, AcceptedJob job, List<Frame> frames, Throwable error) {
    if (jobs.get(job.id) != job) {
      log.info("job {}: ended while answering its {}; the answer is dropped", job.id, request.getType());
      return List.of();
    }
    if (error != null) {
      log.warn("job {}: {} frame refused: {}", job.id, request.getType(), error.getMessage());
      boolean refunded = jobs.abort(job.id, error.getMessage());
      Frame refusal = error(job.id, "refused", request.getType() + ": " + error.getMessage());
      return refunded ? List.of(refusal, status()) : List.of(refusal);
    }
    List<Frame> out = tagged(frames, request.getStep());
    jobs.markIfSent(job);
    job.answered(request, out);
    job.sent(out);
    return out;
  }

  /** The coordinator's requests a node answers (and answers again, identically, when one is repeated). */
  private static final java.util.Set<MessageType> REQUESTS = java.util.EnumSet.of(MessageType.JOB_OFFER, MessageType.STEP_START,
      MessageType.SECAGG_ROSTER, MessageType.SECAGG_SHARES, MessageType.SECAGG_UNMASK, MessageType.HE_DECRYPT);

  /** The error code with which a coordinator instance says another one drives the job. */
  public static final String NOT_OWNER = "not_owner";

  /**
   * After (re)connecting, one JOB_RESUME per job still running here: the coordinator instance
   * resumes it (or tells the node where it went, or that it ended).
   */
  public List<Frame> resumeFrames() {
    return jobs.all().stream().map(j -> frame(MessageType.JOB_RESUME, j.id, 0,
        JobResume.newBuilder().addAllLastSent(j.lastSent()).setEpoch(j.epoch()).build())).toList();
  }

  /** The connection to the coordinator was lost at nowMillis: jobs in flight wait for another instance, for a while. */
  public void onDisconnect(long nowMillis) {
    jobs.orphan(nowMillis);
  }

  /**
   * Drops the jobs no coordinator has spoken for since graceMillis before nowMillis (refunding
   * their reservations where none of their data left); returns the status to send if budgets changed.
   */
  public List<Frame> expire(long nowMillis, long graceMillis) {
    return statusIf(jobs.expire(nowMillis, graceMillis));
  }


  private List<Frame> onOffer(Frame f, JobOffer offer) {
    String jobId = f.getJobId();
    JobSpec spec = offer.getSpec();
    if (!spec.getJobId().equals(jobId) || jobId.isBlank()) throw new IllegalArgumentException("offer's job id does not match its frame");
    if (admitting.containsKey(jobId)) return List.of(); // a repeat while the offer is admitted: answered once, when it is
    audit.submit("job.offered", jobId, "computation", JobSpecs.computation(spec), "dataset", spec.getDataset(),
        "epsilon", Double.toString(spec.getPrivacy().getEpsilon()), "aggregation", spec.getAggregation().name(),
        "spec_sha256", JobSpecs.digest(spec), "coordinator_head", offer.getCoordinatorAuditHead());
    if (jobs.known(jobId)) {
      return List.of(refuse(jobId, "job_id", "job '" + jobId + "' was already offered to this node"));
    }
    // Admission reads the data (the cohort, the computation's pass for a one-step job, for Paillier
    // its encryption): on a worker, in order, so that each offer's budget check sees the reservation
    // of the one before it. The link keeps heartbeats flowing; an abort meanwhile is kept for the answer.
    admitting.put(jobId, "");
    Admitting[] outcome = new Admitting[1];
    return slow(() -> {
      outcome[0] = admit(offer);
      return List.of();
    }, (none, error) -> {
      String aborted = admitting.remove(jobId);
      if (error != null) {
        log.warn("job {}: JOB_OFFER refused: {}", jobId, error.getMessage());
        Frame refusal = error(jobId, "refused", "JOB_OFFER: " + error.getMessage());
        // Failed after its reservation (building the first step, say): nothing left, the budget goes back.
        return jobs.refundFailedAdmission(jobId, error.getMessage()) ? List.of(refusal, status()) : List.of(refusal);
      }
      if (!aborted.isEmpty() && outcome[0].decision() instanceof Admission.Admitted admitted) {
        // Aborted while it was admitted: none of its frames leave, its reservation goes back.
        decisions.decided(true, "");
        jobs.add(admitted.job());
        return statusIf(jobs.abort(jobId, aborted));
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
      return List.of(refuse(jobId, r.rule(), r.reason()));
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
    out.add(frame(MessageType.JOB_ACCEPT, jobId, 0, JobDecision.newBuilder().setAccepted(true)
        .setEpsilonReserved(reserved).setNodeAuditHead(audit.head()).setDataSha256(admitted.dataFingerprint()).build()));
    out.add(status());
    if (outcome.opening() != null) {
      job.claim(0, offer.toByteString());
      job.started(0, outcome.opening());
      out.addAll(tagged(outcome.openingFrames(), 0));
      jobs.markIfSent(job);
    }
    return out;
  }

  private List<Frame> onStepStart(Frame f) {
    AcceptedJob job = jobs.get(f.getJobId());
    if (job == null) return List.of(error(f.getJobId(), "unknown_job", "this node runs no job '" + f.getJobId() + "'"));
    StepStart step = FrameCodec.payload(f, StepStart.parser());
    job.claim(f.getStep(), f.getPayload());
    if (f.getStep() == config.refuseAtStep()) {
      // Fault injection for drills and tests (debug.refuse_at_step): behave as a participant that
      // refuses mid-job, which the coordinator must treat as a dropout, not a refusal of the job.
      jobs.remove(f.getJobId());
      return List.of(refuse(f.getJobId(), "debug.refuse_at_step", "refusing at step " + f.getStep() + " (fault injection)"));
    }
    SortedSet<Integer> parties = job.parties(f.getStep(), step.getParticipantsList());
    audit.submit("step.started", f.getJobId(), "step", Integer.toString(f.getStep()), "kind", step.getKind().name(),
        "participants", String.join(",", step.getParticipantsList()));
    byte[] sessionId = step.getSessionId().toByteArray();
    // The step's pass over the data and its session's first message (for Paillier: encrypting the
    // vector) run on a worker, so the link keeps heartbeats and aborts flowing (a 50,000-row Newton
    // step, or encrypting an evaluation step's 68 ciphertexts, held a node's event loop for seconds);
    // the session is recorded back on the link's thread. A repeat meanwhile gets nothing.
    JobSession[] session = new JobSession[1];
    return slow(() -> {
      session[0] = backends.session(job, f.getStep(), parties, sessionId, job.contributor.input(step));
      return session[0].start();
    }, (first, error) -> {
      if (error == null && jobs.get(job.id) == job) job.started(f.getStep(), session[0]);
      return slowAnswer(f, job, error == null ? first : List.of(), error);
    }, false);
  }

  /**
   * Runs work on a worker and its outcome back on the link's thread; returns nothing now (the
   * answer leaves later). Without slow work (tests, in-process agents) both run here, at once.
   */
  private List<Frame> slow(java.util.concurrent.Callable<List<Frame>> work,
      java.util.function.BiFunction<List<Frame>, Throwable, List<Frame>> back, boolean inOrder) {
    if (slowWork != null) {
      slowWork.run(work, back, inOrder);
      return List.of();
    }
    List<Frame> done;
    try {
      done = work.call();
    } catch (Exception e) {
      return back.apply(null, e);
    }
    return back.apply(done, null);
  }

  private List<Frame> tagged(List<Frame> frames, int step) {
    return frames.stream().map(fr -> fr.toBuilder().setSender(config.nodeId()).setStep(step).build()).toList();
  }

  private Frame refuse(String jobId, String rule, String reason) {
    log.info("job {} refused by {}: {}", jobId, rule, reason);
    audit.submit("job.refused", jobId, "policy", rule, "reason", reason);
    return frame(MessageType.JOB_REFUSE, jobId, 0, JobDecision.newBuilder().setAccepted(false).setPolicy(rule).setReason(reason)
        .setNodeAuditHead(audit.head()).build());
  }

  private Frame error(String jobId, String code, String message) {
    return FrameCodec.error(jobId, code, message).toBuilder().setSender(config.nodeId()).build();
  }

  private Frame frame(MessageType type, String jobId, int round, MessageLite payload) {
    return FrameCodec.frame(type, jobId, round, payload).toBuilder().setSender(config.nodeId()).build();
  }
}
