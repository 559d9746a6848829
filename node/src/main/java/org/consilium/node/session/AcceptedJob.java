package org.consilium.node.session;

import com.google.protobuf.ByteString;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.JobSpec;

/**
 * A job this node accepted: its peers, threshold, its side of the computation and one session
 * per aggregation step, and what lets it survive the loss of a coordinator instance: the frames
 * it last sent (re-sent when it resumes the job elsewhere), every request it answered with its
 * answer (a request repeated word for word gets the same answer again, never a second one: no
 * second input, no second noise draw), and the newest ownership epoch it has heard (frames from an owner that was taken over are ignored).
 */
final class AcceptedJob {
  final String id;
  final JobSpec spec;
  final Map<Integer, X509Certificate> peers;
  final Map<String, Integer> indexOf;
  final int self;
  final int threshold;
  final Computation.Contributor contributor;
  final Map<Integer, JobSession> steps = new TreeMap<>();
  /** The request each step was started with (a STEP_START, or the offer for a one-step computation). */
  private final Map<Integer, ByteString> stepRequests = new HashMap<>();
  /** Every request of the job this node answered, with its answer: a request repeated word for word gets the same answer. */
  private final Map<Request, List<Frame>> answers = new HashMap<>();
  boolean sentMarked;
  private long epoch;
  private List<Frame> lastSent = List.of();
  /** When the node lost its coordinator with this job in flight (epoch millis), or -1. */
  long orphanedSince = -1;

  AcceptedJob(JobSpec spec, Map<Integer, X509Certificate> peers, Map<String, Integer> indexOf, int self, int threshold,
      Computation.Contributor contributor) {
    this.id = spec.getJobId();
    this.spec = spec;
    this.peers = peers;
    this.indexOf = indexOf;
    this.self = self;
    this.threshold = threshold;
    this.contributor = contributor;
  }

  /** The party indices of a step's participants; throws naming what is wrong with the list. */
  java.util.SortedSet<Integer> parties(int step, List<String> participants) {
    java.util.TreeSet<Integer> parties = new java.util.TreeSet<>();
    for (String p : participants) {
      Integer i = indexOf.get(p);
      if (i == null) throw new IllegalArgumentException("step " + step + " names '" + p + "', not a participant of the job");
      parties.add(i);
    }
    if (!parties.contains(self)) throw new IllegalArgumentException("step " + step + " does not include this node");
    if (parties.size() < threshold) {
      throw new IllegalArgumentException("step " + step + " has " + parties.size() + " participants, threshold is " + threshold);
    }
    return parties;
  }

  boolean dataSent() {
    return steps.values().stream().anyMatch(JobSession::dataSent);
  }

  /**
   * False for a frame from an owner older than the newest this node has heard (an instance that
   * was taken over and does not know it yet); otherwise the frame's owner is the newest.
   */
  boolean admits(Frame f) {
    if (f.getEpoch() < epoch) return false;
    epoch = f.getEpoch();
    orphanedSince = -1;
    return true;
  }

  long epoch() {
    return epoch;
  }

  /** What identifies a request: its step, type and payload (not its epoch, which a new owner raises). */
  private record Request(int step, org.consilium.analytics.wire.MessageType type, ByteString payload) {
    static Request of(Frame f) {
      return new Request(f.getStep(), f.getType(), f.getPayload());
    }
  }

  /** The answer already given to this very request (a resumed coordinator, or a network, repeats it), if any. */
  Optional<List<Frame>> repeated(Frame request) {
    return Optional.ofNullable(answers.get(Request.of(request)));
  }

  /**
   * Claims a step for the request that starts it: a step's input is computed once, so its DP noise
   * is drawn once. A request repeated word for word is answered by {@link #repeated} before it gets
   * here; any other request for a claimed step (another session, participants or model) is refused,
   * or a coordinator could ask for a second noisy answer to the same step.
   */
  void claim(int step, ByteString request) {
    ByteString first = stepRequests.putIfAbsent(step, request);
    if (first != null && !first.equals(request)) {
      throw new IllegalArgumentException("step " + step + " was already started with another request; a step's input is computed once");
    }
  }

  /** The step's aggregation session, once its input is computed. */
  void started(int step, JobSession s) {
    steps.put(step, s);
  }

  /** Remembers a request and this node's answer to it. */
  void answered(Frame request, List<Frame> answer) {
    answers.put(Request.of(request), List.copyOf(answer));
  }

  /** Remembers what this node last sent for the job (re-sent when it resumes the job on another instance). */
  void sent(List<Frame> frames) {
    if (!frames.isEmpty()) lastSent = List.copyOf(frames);
  }

  List<Frame> lastSent() {
    return lastSent;
  }
}
