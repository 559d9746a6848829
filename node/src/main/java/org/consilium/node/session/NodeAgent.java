package org.consilium.node.session;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobResume;
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
  private final AggregationBackend backends;
  private final NodeReports reports;
  private final InFlightJobs jobs;
  private final AuditLog audit;
  private final Revocations revocations;
  private final Worker worker = new Worker();
  private final Replies replies;
  private final Offers offers;

  /** Told of every offer's answer (for the node's metrics): accepted, or refused under a rule. */
  public interface Decisions {
    void decided(boolean accepted, String rule);
  }

  public void onDecision(Decisions listener) {
    offers.onDecision(listener);
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

  /** Without it (tests), slow answers are computed inline. */
  public void onSlowWork(SlowWork slowWork) {
    worker.use(slowWork);
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
    this.replies = new Replies(config.nodeId(), audit, reports);
    this.offers = new Offers(new Admission(config, identity, dictionary, Map.copyOf(datasets), ledger, keyShare, rng), backends, jobs,
        audit, replies, worker);
  }

  public Frame hello() {
    return reports.hello();
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
      return List.of(replies.error("", "revocations", "revocation list refused: " + e.getMessage()));
    }
  }

  private List<Frame> dispatch(Frame f) {
    try {
      return switch (f.getType()) {
        case WELCOME, HEARTBEAT -> List.of();
        case JOB_OFFER -> offers.onOffer(f, FrameCodec.payload(f, JobOffer.parser()));
        case STEP_START -> onStepStart(f);
        case SECAGG_ROSTER, SECAGG_SHARES, SECAGG_UNMASK, HE_DECRYPT -> {
          AcceptedJob job = jobs.get(f.getJobId());
          JobSession s = job == null ? null : job.steps.get(f.getStep());
          if (s == null) {
            yield List.of(replies.error(f.getJobId(), "unknown_job", "this node has no session for job '" + f.getJobId() + "' step " + f.getStep()));
          }
          if (s.slow(f)) {
            // Answered later, off the link's thread; a repeat meanwhile gets nothing (the request is answered as empty now).
            AcceptedJob started = job;
            yield worker.run(() -> s.onFrame(f), (frames, error) -> slowAnswer(f, started, frames, error), false);
          }
          List<Frame> out = replies.tagged(s.onFrame(f), f.getStep());
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
        default -> List.of(replies.error(f.getJobId(), "unexpected", "a node does not accept " + f.getType() + " frames"));
      };
    } catch (RuntimeException e) {
      log.warn("job {}: {} frame refused: {}", f.getJobId(), f.getType(), e.getMessage());
      return replies.refused(f.getJobId(), f.getType() + ": " + e.getMessage(), jobs.abort(f.getJobId(), e.getMessage()));
    }
  }

  /** Stops taking part in a job; one still being admitted is stopped when its admission is back. */
  private List<Frame> abort(String jobId, String why) {
    if (offers.abortWhileAdmitting(jobId, why)) return List.of();
    return replies.statusIf(jobs.abort(jobId, why));
  }

  /** A slow answer is back on the link's thread: sent if its job still runs here, and remembered for repeats and resumes. */
  private List<Frame> slowAnswer(Frame request, AcceptedJob job, List<Frame> frames, Throwable error) {
    if (jobs.get(job.id) != job) {
      log.info("job {}: ended while answering its {}; the answer is dropped", job.id, request.getType());
      return List.of();
    }
    if (error != null) {
      log.warn("job {}: {} frame refused: {}", job.id, request.getType(), error.getMessage());
      return replies.refused(job.id, request.getType() + ": " + error.getMessage(), jobs.abort(job.id, error.getMessage()));
    }
    List<Frame> out = replies.tagged(frames, request.getStep());
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
    return jobs.all().stream().map(j -> replies.frame(MessageType.JOB_RESUME, j.id, 0,
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
    return replies.statusIf(jobs.expire(nowMillis, graceMillis));
  }

  private List<Frame> onStepStart(Frame f) {
    AcceptedJob job = jobs.get(f.getJobId());
    if (job == null) return List.of(replies.error(f.getJobId(), "unknown_job", "this node runs no job '" + f.getJobId() + "'"));
    StepStart step = FrameCodec.payload(f, StepStart.parser());
    job.claim(f.getStep(), f.getPayload());
    if (f.getStep() == config.refuseAtStep()) {
      // Fault injection for drills and tests (debug.refuse_at_step): behave as a participant that
      // refuses mid-job, which the coordinator must treat as a dropout, not a refusal of the job.
      jobs.remove(f.getJobId());
      return List.of(replies.refuse(f.getJobId(), "debug.refuse_at_step", "refusing at step " + f.getStep() + " (fault injection)"));
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
    return worker.run(() -> {
      session[0] = backends.session(job, f.getStep(), parties, sessionId, job.contributor.input(step));
      return session[0].start();
    }, (first, error) -> {
      if (error == null && jobs.get(job.id) == job) job.started(f.getStep(), session[0]);
      return slowAnswer(f, job, error == null ? first : List.of(), error);
    }, false);
  }
}
