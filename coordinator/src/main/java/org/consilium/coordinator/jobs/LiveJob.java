package org.consilium.coordinator.jobs;

import com.google.protobuf.ByteString;
import io.vertx.core.json.JsonObject;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.identity.Pem;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.wire.ClosedStep;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.JobState;
import org.consilium.analytics.wire.JobStatus;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.wire.PeerIdentity;
import org.consilium.analytics.wire.RoundEvent;
import org.consilium.analytics.wire.StepStart;
import org.consilium.mpc.ring.RingVector;

/**
 * One job a coordinator instance drives, and everything that happened to it as data: the
 * acceptances, the aggregates of finished steps, and the current step's accepted frames and
 * round closes. {@link #state} is what is stored after every change; {@link #resume} rebuilds
 * the same job on another instance by replaying it through the same code (the computation's
 * driver and the aggregation are deterministic given their inputs), so a takeover continues
 * the round in progress with the nodes' sessions as they are. Not thread-safe: one context.
 */
final class LiveJob {
  /** Creates the aggregation of one step among members (masking or threshold Paillier). */
  interface Aggregations {
    Aggregation create(LiveJob job, List<String> members, byte[] session, int length);
  }

  final String id;
  final JobSpec spec;
  final int threshold;
  final List<String> participants;
  final List<PeerIdentity> peers;
  final byte[] offerSession;
  final Map<String, Integer> partyOf = new TreeMap<>();
  final Map<Integer, String> nodeOf = new TreeMap<>();
  final Map<String, X509Certificate> certificates = new TreeMap<>();
  final TreeSet<String> accepted = new TreeSet<>();
  final Computation computation;
  final Computation.Driver driver;
  final JsonObject record;
  long epoch;
  /** When the job's previous round closed (or it was created here): what round latency is measured from. */
  long roundMark = System.nanoTime();
  String owner = "";
  JobStatus status = JobStatus.OFFERED;
  int step;
  boolean stepStarted;
  byte[] stepSession = new byte[0];
  List<String> stepMembers = List.of();
  Aggregation aggregation;
  private final List<ClosedStep> closedSteps = new ArrayList<>();
  private final List<RoundEvent> events = new ArrayList<>();
  /** The frames of the current round each member was sent, without step or epoch (re-sent to a node that resumes). */
  Map<String, List<Frame>> roundSends = Map.of();

  // The shell's bookkeeping, not part of the job's state.
  long timer = -1;
  final List<Outgoing> outbox = new ArrayList<>();
  /** What waits for the job's current state to be stored (an answer to its submitter). */
  final List<Runnable> afterStored = new ArrayList<>();
  boolean storing;
  boolean dirty;
  /** Another instance took the job over: this one no longer drives it. */
  boolean handedOver;
  /** Taken over and its current round not closed yet: nodes still reconnecting are not counted as gone. */
  boolean resumedWaiting;
  /** Its aggregation is closing the round on a worker thread: nothing else touches the aggregation until it is done. */
  boolean closing;

  /** A frame for a node, sent once the state that caused it is stored. */
  record Outgoing(String node, Frame frame) {}

  LiveJob(JobSpec spec, List<PeerIdentity> peers, byte[] offerSession, Computation computation, JsonObject record,
      Function<String, List<DatasheetAnswer>> narratives) {
    this.id = spec.getJobId();
    this.spec = spec;
    this.threshold = spec.getThreshold();
    this.participants = List.copyOf(spec.getNodesList());
    this.peers = List.copyOf(peers);
    this.offerSession = offerSession.clone();
    this.computation = computation;
    this.record = record;
    for (PeerIdentity p : peers) {
      partyOf.put(p.getNodeId(), p.getPartyIndex());
      nodeOf.put(p.getPartyIndex(), p.getNodeId());
      certificates.put(p.getNodeId(), Pem.certificate(p.getCertificateDer().toByteArray()));
    }
    this.driver = computation.driver(participants, threshold, narratives);
  }

  /** True while this instance drives the job: not ended, not handed over. */
  boolean driving() {
    return !handedOver && !org.consilium.coordinator.state.JobStore.isFinal(status);
  }

  /** The step being aggregated now, as the computation names it. */
  StepStart currentStep() {
    return computation.openingStep().orElseGet(driver::current);
  }

  int vectorLength() {
    return computation.vectorLength(currentStep());
  }

  /** Starts the aggregation of the current step among members with this session. */
  void beginStep(List<String> members, byte[] session, Aggregation created) {
    stepStarted = true;
    stepMembers = List.copyOf(members);
    stepSession = session.clone();
    aggregation = created;
    events.clear();
    roundSends = computation.openingStep().isPresent() ? Map.of() : stepStartFrames();
  }

  /** The STEP_START each member of a coordinator-announced step is sent. */
  private Map<String, List<Frame>> stepStartFrames() {
    StepStart start = driver.current().toBuilder().setSessionId(ByteString.copyFrom(stepSession)).addAllParticipants(stepMembers).build();
    Frame f = FrameCodec.frame(MessageType.STEP_START, id, 0, start);
    Map<String, List<Frame>> out = new LinkedHashMap<>();
    stepMembers.forEach(n -> out.put(n, List.of(f)));
    return out;
  }

  /** True if the node already sent exactly this frame in this step (a node re-sends after a takeover). */
  boolean alreadyReceived(String node, Frame f) {
    return events.stream().anyMatch(e -> e.hasReceived() && e.getReceived().getSender().equals(node)
        && e.getReceived().getType() == f.getType() && e.getReceived().getPayload().equals(f.getPayload()));
  }

  /** Gives the current round a node's frame; throws IllegalArgumentException naming what is wrong. */
  void receive(String node, Frame f) {
    aggregation.receive(node, f);
    events.add(RoundEvent.newBuilder().setReceived(f.toBuilder().setSender(node)).build());
  }

  /** Closes the current round; on the last round the step's aggregate is kept for a resume. */
  Aggregation.Closed closeRound() {
    return closedRound(aggregation.close());
  }

  /** Records a round the aggregation closed (perhaps on a worker thread: see {@link Aggregation#slowToClose}). */
  Aggregation.Closed closedRound(Aggregation.Closed closed) {
    if (closed.isFinal()) {
      closedSteps.add(ClosedStep.newBuilder().addAllSum(java.util.Arrays.stream(closed.sum().toArray()).boxed().toList())
          .addAllContributors(closed.contributors()).build());
      events.clear();
      roundSends = Map.of();
    } else {
      events.add(RoundEvent.newBuilder().setClosed(true).build());
      roundSends = closed.sends();
    }
    return closed;
  }

  JobState state() {
    JobState.Builder s = JobState.newBuilder().setEpoch(epoch).setOwner(owner).setSpec(spec).addAllPeers(peers)
        .setOfferSession(ByteString.copyFrom(offerSession)).setStatus(status).addAllAccepted(accepted)
        .addAllClosedSteps(closedSteps).setStep(step).setStepStarted(stepStarted).setStepSession(ByteString.copyFrom(stepSession))
        .addAllStepMembers(stepMembers).addAllEvents(events).setRecordJson(record.encode());
    return s.build();
  }

  /**
   * The job as another instance continues it: the driver fed the stored aggregates, the current
   * step's aggregation fed the stored frames and closes (which also gives back the frames of the
   * current round, to send again to whoever missed them).
   */
  static LiveJob resume(JobState s, DataDictionary dictionary, Function<String, List<DatasheetAnswer>> narratives,
      Aggregations aggregations) {
    Computation computation = Computation.of(s.getSpec(), s.getPeersCount(), dictionary);
    LiveJob job = new LiveJob(s.getSpec(), s.getPeersList(), s.getOfferSession().toByteArray(), computation,
        new JsonObject(s.getRecordJson()), narratives);
    job.epoch = s.getEpoch();
    job.owner = s.getOwner();
    job.status = s.getStatus();
    job.accepted.addAll(s.getAcceptedList());
    for (ClosedStep c : s.getClosedStepsList()) {
      long[] sum = c.getSumList().stream().mapToLong(Long::longValue).toArray();
      job.driver.onAggregate(RingVector.adopt(sum), c.getContributorsList());
      job.closedSteps.add(c);
    }
    job.step = s.getStep();
    if (s.getStepStarted()) {
      byte[] session = s.getStepSession().toByteArray();
      job.beginStep(s.getStepMembersList(), session, aggregations.create(job, s.getStepMembersList(), session, job.vectorLength()));
      for (RoundEvent e : s.getEventsList()) {
        if (e.hasReceived()) job.receive(e.getReceived().getSender(), e.getReceived());
        else job.closeRound();
      }
    }
    return job;
  }
}
