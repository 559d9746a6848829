package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.wire.PeerIdentity;
import org.consilium.deploy.Provisioner;
import org.consilium.he.codec.HeWire;
import org.consilium.he.wire.DecryptRequestProto;
import org.consilium.he.wire.KeyShareProto;
import org.consilium.he.wire.SignedContributionProto;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.identity.NodeIdentity;
import org.consilium.analytics.identity.Pem;
import org.consilium.node.ledger.PrivacyLedger;
import org.consilium.node.session.NodeAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A curious coordinator tries to get a threshold of nodes to decrypt something other than the
 * sum of at least t signed contributions: a single node's ciphertext, a sum with a forged
 * contribution, or a sum that leaves the node's own contribution out. The nodes' protocol logic
 * (NodeAgent, in process, with real kits) refuses each, naming why.
 */
class PaillierDecryptionGuardTest {
  @TempDir
  Path dir;

  private record Node(NodeAgent agent, NodeConfig config) {}

  private Map<String, Node> nodes;
  private final Map<String, byte[]> certs = new LinkedHashMap<>();

  private void provision() throws Exception {
    Map<String, Path> csv = HeartDisease.extractTo(dir.resolve("data"));
    List<Provisioner.NodePlan> plans = new ArrayList<>();
    csv.forEach((id, p) -> plans.add(new Provisioner.NodePlan(id, Map.of(HeartDisease.DATASET, p),
        Map.of("policy.allow_exact_release", "true", "policy.min_cohort_size", "5", "policy.allowed_computations", "[statistics, train]"))));
    Provisioner.Consortium kits = Provisioner.provision(new Provisioner.Plan("guard", dir.resolve("kits"), "127.0.0.1", 1, 2, 3,
        plans, Map.of(), 512, HeartDisease.dictionaryText()));
    nodes = new LinkedHashMap<>();
    for (var e : kits.nodeConfigs().entrySet()) {
      NodeConfig cfg = NodeConfig.load(e.getValue(), Map.of());
      NodeIdentity identity = NodeIdentity.fromKit(cfg);
      var share = HeWire.fromWire(HeWire.parse(KeyShareProto.parser(), Files.readAllBytes(cfg.heKeyShare()), "share"));
      Dataset data = DefaultJob.load(csv.get(e.getKey()));
      nodes.put(e.getKey(), new Node(new NodeAgent(cfg, identity, HeartDisease.dictionary(), Map.of(HeartDisease.DATASET, data),
          PrivacyLedger.open(dir.resolve(e.getKey() + ".ledger"), Pem.privateKey(cfg.privateKey())), share,
          org.consilium.analytics.audit.AuditLog.open(dir.resolve(e.getKey() + ".audit"), e.getKey(), Pem.privateKey(cfg.privateKey()))), cfg));
      certs.put(e.getKey(), Pem.certificate(cfg.certificate()).getEncoded());
    }
  }

  /** Offers the job to every node; returns each node's signed contribution. */
  private Map<String, SignedContributionProto> offer(String jobId) throws Exception {
    Frame offer = offerFrame(jobId, DefaultJob.spec("\"Infinity\"").replace("\"specVersion\": 1,",
        "\"specVersion\": 1, \"aggregation\": \"AGGREGATION_THRESHOLD_PAILLIER\", \"threshold\": 3,"));
    Map<String, SignedContributionProto> out = new LinkedHashMap<>();
    for (var e : nodes.entrySet()) {
      String id = e.getKey();
      List<Frame> replies = e.getValue().agent().onFrame(offer);
      if (replies.isEmpty() && deferred != null) replies = deferred.finishLast(); // admitted on a worker
      assertEquals(MessageType.JOB_ACCEPT, replies.get(0).getType(), id + " accepts");
      Frame contribution = replies.stream().filter(r -> r.getType() == MessageType.HE_CONTRIBUTION).findFirst()
          .orElseThrow(() -> new AssertionError(id + " sent no HE_CONTRIBUTION with its acceptance"));
      out.put(id, FrameCodec.payload(contribution, SignedContributionProto.parser()));
    }
    return out;
  }

  /**
   * Not Paillier's, but the same slow-work path: a training step's pass over the data runs on a
   * worker, its first frames leave when it is done, and nothing leaves for a job that ended meanwhile.
   */
  @Test
  void aStepsPassOverTheDataRunsOffTheLinkAndIsDroppedIfTheJobEndsMeanwhile() throws Exception {
    provision();
    NodeAgent cleveland = nodes.get("cleveland").agent();
    Deferred slow = defer(cleveland);
    accept(cleveland, "job-step-1");
    accept(cleveland, "job-step-2");
    java.util.function.Function<String, Frame> momentsStep = jobId -> FrameCodec.frame(MessageType.STEP_START, jobId, 0,
        org.consilium.analytics.wire.StepStart.newBuilder().setKind(org.consilium.analytics.wire.StepStart.Kind.MOMENTS)
            .setSessionId(ByteString.copyFrom(new byte[32])).addAllParticipants(certs.keySet()).build()).toBuilder().setStep(1).build();

    Frame start = momentsStep.apply("job-step-1");
    assertEquals(List.of(), cleveland.onFrame(start), "answered later, off the link's thread");
    assertEquals(List.of(), cleveland.onFrame(start), "a repeat while it computes starts nothing new");
    assertEquals(1, slow.works().size(), "one pass over the data");
    List<Frame> answer = slow.backs().get(0).apply(slow.works().get(0).call(), null);
    assertEquals(List.of(MessageType.SECAGG_ADVERTISE), answer.stream().map(Frame::getType).toList(), "the step's aggregation starts once done");
    assertEquals(1, answer.get(0).getStep());
    assertEquals(answer, cleveland.onFrame(start), "a repeat afterwards gets the same answer");

    Frame bad = momentsStep.apply("job-step-2").toBuilder().setPayload(org.consilium.analytics.wire.StepStart.newBuilder()
        .setKind(org.consilium.analytics.wire.StepStart.Kind.MOMENTS).setSessionId(ByteString.copyFrom(new byte[3]))
        .addAllParticipants(certs.keySet()).build().toByteString()).build();
    assertEquals(List.of(), cleveland.onFrame(bad));
    IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () -> slow.works().get(1).call());
    List<Frame> refused = slow.backs().get(1).apply(null, failed);
    assertEquals(MessageType.ERROR, refused.get(0).getType(), "a step that cannot start is refused when its input is ready: " + refused);
    assertTrue(ErrorReport.parseFrom(refused.get(0).getPayload()).getMessage().contains("session id must be 8..64 bytes"),
        "naming why: " + refused);

    accept(cleveland, "job-step-3");
    cleveland.onFrame(momentsStep.apply("job-step-3"));
    cleveland.onFrame(FrameCodec.error(MessageType.JOB_ABORT, "job-step-3", "failed", "a coordinator gave up on the job"));
    assertEquals(List.of(), slow.backs().get(2).apply(slow.works().get(2).call(), null), "nothing is sent for a job that ended while it computed");
  }

  /**
   * A step's input is computed once, so its noise is drawn once: a coordinator that asks again for
   * the same step with another request (other participants, say, or, for a one-step statistics
   * job, a STEP_START after the offer) would otherwise get a second noisy answer to average. Only
   * a word-for-word repeat is answered, with the same answer.
   */
  @Test
  void aStepComputesItsInputOnceWhateverTheCoordinatorAsks() throws Exception {
    provision();
    NodeAgent cleveland = nodes.get("cleveland").agent();
    Deferred slow = defer(cleveland);
    accept(cleveland, "job-once-1");
    var first = org.consilium.analytics.wire.StepStart.newBuilder().setKind(org.consilium.analytics.wire.StepStart.Kind.MOMENTS)
        .setSessionId(ByteString.copyFrom(new byte[32])).addAllParticipants(certs.keySet()).build();
    cleveland.onFrame(FrameCodec.frame(MessageType.STEP_START, "job-once-1", 0, first).toBuilder().setStep(1).build());
    var fewer = first.toBuilder().clearParticipants().addAllParticipants(new ArrayList<>(certs.keySet()).subList(0, 3)).build();
    List<Frame> again = cleveland.onFrame(FrameCodec.frame(MessageType.STEP_START, "job-once-1", 0, fewer).toBuilder().setStep(1).build());
    assertEquals(MessageType.ERROR, again.isEmpty() ? null : again.get(0).getType(), "the same step asked with other participants is refused: " + again);
    assertTrue(ErrorReport.parseFrom(again.get(0).getPayload()).getMessage().contains("step 1 was already started with another request"),
        "naming why: " + again);
    assertEquals(1, slow.works().size(), "one pass over the data for the step, not two");

    accept(cleveland, "job-once-2", DefaultJob.spec("1.0"));
    var statistics = org.consilium.analytics.wire.StepStart.newBuilder().setKind(org.consilium.analytics.wire.StepStart.Kind.ONLY)
        .setSessionId(ByteString.copyFrom(new byte[32])).addAllParticipants(certs.keySet()).build();
    List<Frame> rerun = cleveland.onFrame(FrameCodec.frame(MessageType.STEP_START, "job-once-2", 0, statistics));
    assertEquals(MessageType.ERROR, rerun.isEmpty() ? null : rerun.get(0).getType(), "a one-step job's step, started by the offer, is not started again: " + rerun);
    assertEquals(1, slow.works().size(), "and its statistics are not computed a second time");
  }

  /**
   * A node admits an offer on a worker, in order with the other offers (so that two offers cannot
   * both pass a budget cap), and answers it once: a repeat meanwhile gets nothing, one afterwards
   * the same answer. An abort that arrives during the admission refunds the reservation when it is back.
   */
  @Test
  void anOfferIsAdmittedOffTheLinkInOrderAndAnAbortMeanwhileRefundsIt() throws Exception {
    provision();
    NodeAgent cleveland = nodes.get("cleveland").agent();
    Deferred slow = Deferred.on(cleveland); // not defer(): this test finishes the admissions by hand
    Frame offer = offerFrame("job-offer-1", DefaultJob.spec("1.0"));
    assertEquals(List.of(), cleveland.onFrame(offer), "answered later, off the link's thread");
    assertEquals(List.of(), cleveland.onFrame(offer), "a repeat while it is admitted starts nothing new");
    assertEquals(List.of(true), slow.inOrder(), "one admission, asked in order with the other offers");
    List<Frame> answer = slow.finishLast();
    assertEquals(List.of(MessageType.JOB_ACCEPT, MessageType.NODE_STATUS, MessageType.SECAGG_ADVERTISE),
        answer.stream().map(Frame::getType).toList(), "accepted, budgets, and the one-step job's aggregation started");
    assertEquals(answer.stream().filter(a -> a.getType() != MessageType.NODE_STATUS).toList(), cleveland.onFrame(offer),
        "a repeat afterwards gets the same answer");

    Frame second = offerFrame("job-offer-2", DefaultJob.spec("1.0"));
    assertEquals(List.of(), cleveland.onFrame(second));
    assertEquals(List.of(), cleveland.onFrame(FrameCodec.error(MessageType.JOB_ABORT, "job-offer-2", "failed", "too few nodes accepted")),
        "an abort during the admission is kept for when it is back");
    List<Frame> aborted = slow.finishLast();
    assertEquals(List.of(MessageType.NODE_STATUS), aborted.stream().map(Frame::getType).toList(),
        "nothing for the job, only the budgets, its reservation refunded: " + aborted);
    List<Frame> again = cleveland.onFrame(second);
    assertEquals(MessageType.JOB_REFUSE, again.get(0).getType(), "the job id is not admitted twice: " + again);

    assertEquals(List.of(), cleveland.onFrame(offerFrame("job-offer-3", DefaultJob.spec("1.0"))));
    slow.works().get(0).call(); // admitted: its budget reserved
    List<Frame> failed = slow.backs().get(0).apply(null, new IllegalStateException("the first step could not be built"));
    assertEquals(List.of(MessageType.ERROR, MessageType.NODE_STATUS), failed.stream().map(Frame::getType).toList(),
        "an admission that fails after reserving is refused, and its reservation goes back: " + failed);
    assertTrue(ErrorReport.parseFrom(failed.get(0).getPayload()).getMessage().contains("the first step could not be built"), "naming why");
  }

  private Frame offerFrame(String jobId, String specJson) {
    var spec = JobSpecs.fromJson(specJson).toBuilder().setJobId(jobId).setDictionarySha256(HeartDisease.dictionary().digest()).build();
    JobOffer.Builder offer = JobOffer.newBuilder().setSpec(spec).setSessionId(ByteString.copyFrom(new byte[32]));
    int i = 1;
    for (var c : certs.entrySet()) {
      offer.addPeers(PeerIdentity.newBuilder().setNodeId(c.getKey()).setPartyIndex(i++).setCertificateDer(ByteString.copyFrom(c.getValue())));
    }
    return FrameCodec.frame(MessageType.JOB_OFFER, jobId, 0, offer.build());
  }

  /** Offers an exact training job to one node; it must accept. */
  private void accept(NodeAgent node, String jobId) throws Exception {
    accept(node, jobId, DefaultJob.trainSpec("AGGREGATION_MASKING"));
  }

  /** Offers a job to one node; it must accept. */
  private void accept(NodeAgent node, String jobId, String specJson) throws Exception {
    List<Frame> accepted = node.onFrame(offerFrame(jobId, specJson));
    if (accepted.isEmpty() && deferred != null) accepted = deferred.finishLast(); // admitted on a worker
    assertEquals(MessageType.JOB_ACCEPT, accepted.get(0).getType(), "the node accepts " + jobId + ": " + accepted);
  }

  /**
   * A node's slow work, held for the test to run by hand: each piece of work, what takes its
   * outcome back, and whether it was asked in order. An offer's admission is run at once by
   * {@link #accept}, and leaves the lists.
   */
  private record Deferred(List<java.util.concurrent.Callable<List<Frame>>> works,
      List<java.util.function.BiFunction<List<Frame>, Throwable, List<Frame>>> backs, List<Boolean> inOrder) {
    static Deferred on(NodeAgent node) {
      Deferred d = new Deferred(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      node.onSlowWork((work, back, ordered) -> {
        d.works.add(work);
        d.backs.add(back);
        d.inOrder.add(ordered);
      });
      return d;
    }

    /** Runs the newest piece of work and takes its outcome back; it leaves the lists. */
    List<Frame> finishLast() throws Exception {
      int last = works.size() - 1;
      List<Frame> done = works.remove(last).call();
      inOrder.remove(last);
      return backs.remove(last).apply(done, null);
    }
  }

  /** The slow work of the node under test, if it defers any. */
  private Deferred deferred;

  private Deferred defer(NodeAgent node) {
    deferred = Deferred.on(node);
    return deferred;
  }

  /** A node's contribution under a name the curious coordinator chooses. */
  private static SignedContributionProto signed(String node, SignedContributionProto c) {
    return c.toBuilder().setParty(node).build();
  }

  private String refusal(String node, String jobId, DecryptRequestProto req) throws Exception {
    List<Frame> replies = nodes.get(node).agent().onFrame(FrameCodec.frame(MessageType.HE_DECRYPT, jobId, 1, req));
    assertEquals(1, replies.size());
    assertEquals(MessageType.ERROR, replies.get(0).getType(), node + " must refuse, but answered " + replies.get(0).getType());
    return ErrorReport.parseFrom(replies.get(0).getPayload()).getMessage();
  }

  @Test
  void aJobCheckedAgainstAnotherDictionaryVersionIsRefusedBeforeAnyBudgetIsReserved() throws Exception {
    provision();
    var spec = JobSpecs.fromJson(DefaultJob.spec("1.0")).toBuilder().setJobId("job-dict").setDictionarySha256("0".repeat(64)).build();
    JobOffer.Builder offer = JobOffer.newBuilder().setSpec(spec).setSessionId(ByteString.copyFrom(new byte[32]));
    int i = 1;
    for (var c : certs.entrySet()) {
      offer.addPeers(PeerIdentity.newBuilder().setNodeId(c.getKey()).setPartyIndex(i++).setCertificateDer(ByteString.copyFrom(c.getValue())));
    }
    List<Frame> replies = nodes.get("cleveland").agent().onFrame(FrameCodec.frame(MessageType.JOB_OFFER, "job-dict", 0, offer.build()));
    assertEquals(1, replies.size(), "a refusal and nothing else: " + replies);
    assertEquals(MessageType.JOB_REFUSE, replies.get(0).getType());
    assertEquals("dictionary", org.consilium.analytics.wire.JobDecision.parseFrom(replies.get(0).getPayload()).getPolicy());
  }

  /**
   * A node decrypts off its link's thread: the request is answered later (a repeat meanwhile gets
   * nothing new), and a job aborted while its decryption runs stops it and sends nothing.
   */
  @Test
  void decryptionRunsOffTheLinkAndAnAbortStopsIt() throws Exception {
    provision();
    NodeAgent cleveland = nodes.get("cleveland").agent();
    Deferred slow = defer(cleveland);
    Map<String, SignedContributionProto> c = offer("job-slow-1");
    DecryptRequestProto all = DecryptRequestProto.newBuilder().addContributions(c.get("cleveland")).addContributions(c.get("hungarian"))
        .addContributions(c.get("switzerland")).build();
    Frame request = FrameCodec.frame(MessageType.HE_DECRYPT, "job-slow-1", 1, all);
    assertEquals(List.of(), cleveland.onFrame(request), "answered later, off the link's thread");
    assertEquals(List.of(), cleveland.onFrame(request), "a repeat while it runs starts nothing new");
    assertEquals(1, slow.works().size());
    List<Frame> answer = slow.backs().get(0).apply(slow.works().get(0).call(), null);
    assertEquals(MessageType.HE_PARTIALS, answer.get(0).getType(), "the partial decryptions, once done");
    assertEquals(answer, cleveland.onFrame(request), "a repeat afterwards gets the same answer");

    Map<String, SignedContributionProto> c2 = offer("job-slow-2");
    Frame second = FrameCodec.frame(MessageType.HE_DECRYPT, "job-slow-2", 1, DecryptRequestProto.newBuilder()
        .addContributions(c2.get("cleveland")).addContributions(c2.get("hungarian")).addContributions(c2.get("switzerland")).build());
    cleveland.onFrame(second);
    cleveland.onFrame(FrameCodec.error(MessageType.JOB_ABORT, "job-slow-2", "failed", "round 1 threshold-decrypt: too few partials"));
    var stopped = assertThrows(java.util.concurrent.CancellationException.class, () -> slow.works().get(1).call(),
        "the aborted job's decryption stops at its next ciphertext");
    assertEquals(List.of(), slow.backs().get(1).apply(null, stopped), "and nothing is sent for it");
  }

  @Test
  void nodesDecryptOnlyASumOfAtLeastTSignedContributionsIncludingTheirOwn() throws Exception {
    provision();
    Map<String, SignedContributionProto> c = offer("job-guard-1");
    // A single node's ciphertext, presented as "the aggregate".
    String single = refusal("cleveland", "job-guard-1", DecryptRequestProto.newBuilder().addContributions(signed("cleveland", c.get("cleveland"))).build());
    assertTrue(single.contains("threshold is 3"), single);

    Map<String, SignedContributionProto> c2 = offer("job-guard-2");
    // Hungarian's contribution relabelled as Switzerland's: the signature does not verify.
    DecryptRequestProto forged = DecryptRequestProto.newBuilder().addContributions(signed("cleveland", c2.get("cleveland")))
        .addContributions(signed("hungarian", c2.get("hungarian")))
        .addContributions(signed("switzerland", c2.get("hungarian"))).build();
    String sig = refusal("cleveland", "job-guard-2", forged);
    assertTrue(sig.contains("signature on 'switzerland'"), sig);

    Map<String, SignedContributionProto> c3 = offer("job-guard-3");
    // Three others' contributions, without the asked node's own: it must not help decrypt them.
    DecryptRequestProto withoutMe = DecryptRequestProto.newBuilder().addContributions(signed("hungarian", c3.get("hungarian")))
        .addContributions(signed("switzerland", c3.get("switzerland"))).addContributions(signed("va-long-beach", c3.get("va-long-beach")))
        .build();
    String own = refusal("cleveland", "job-guard-3", withoutMe);
    assertTrue(own.contains("not in the aggregate"), own);

    Map<String, SignedContributionProto> c4 = offer("job-guard-4");
    // A contribution signed for another job is refused too.
    DecryptRequestProto replay = DecryptRequestProto.newBuilder().addContributions(signed("cleveland", c4.get("cleveland")))
        .addContributions(signed("hungarian", c.get("hungarian"))).addContributions(signed("switzerland", c4.get("switzerland"))).build();
    String replayed = refusal("cleveland", "job-guard-4", replay);
    assertTrue(replayed.contains("signature on 'hungarian'"), replayed);
  }
}
