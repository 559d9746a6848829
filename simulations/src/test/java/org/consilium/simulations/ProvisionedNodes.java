package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.identity.Pem;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.wire.PeerIdentity;
import org.consilium.deploy.Provisioner;
import org.consilium.he.codec.HeWire;
import org.consilium.he.wire.KeyShareProto;
import org.consilium.he.wire.SignedContributionProto;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.identity.NodeIdentity;
import org.consilium.node.ledger.PrivacyLedger;
import org.consilium.node.session.NodeAgent;

/**
 * The four hospitals' protocol logic (NodeAgent, in process) with real kits (certificates, key
 * shares, ledgers, audit logs): what the node tests offer jobs to, as a coordinator would.
 */
final class ProvisionedNodes {
  private final Map<String, NodeAgent> agents;
  private final Map<String, byte[]> certs;
  /** The slow work of the node under test, if it defers any. */
  private Deferred deferred;

  private ProvisionedNodes(Map<String, NodeAgent> agents, Map<String, byte[]> certs) {
    this.agents = agents;
    this.certs = certs;
  }

  static ProvisionedNodes provision(Path dir) throws Exception {
    Map<String, Path> csv = HeartDisease.extractTo(dir.resolve("data"));
    List<Provisioner.NodePlan> plans = new ArrayList<>();
    csv.forEach((id, p) -> plans.add(new Provisioner.NodePlan(id, Map.of(HeartDisease.DATASET, p),
        Map.of("policy.allow_exact_release", "true", "policy.min_cohort_size", "5", "policy.allowed_computations", "[statistics, train]"))));
    Provisioner.Consortium kits = Provisioner.provision(new Provisioner.Plan("guard", dir.resolve("kits"), "127.0.0.1", 1, 2, 3,
        plans, Map.of(), 512, HeartDisease.dictionaryText()));
    Map<String, NodeAgent> agents = new LinkedHashMap<>();
    Map<String, byte[]> certs = new LinkedHashMap<>();
    for (var e : kits.nodeConfigs().entrySet()) {
      NodeConfig cfg = NodeConfig.load(e.getValue(), Map.of());
      NodeIdentity identity = NodeIdentity.fromKit(cfg);
      var share = HeWire.fromWire(HeWire.parse(KeyShareProto.parser(), Files.readAllBytes(cfg.heKeyShare()), "share"));
      Dataset data = DefaultJob.load(csv.get(e.getKey()));
      agents.put(e.getKey(), new NodeAgent(cfg, identity, HeartDisease.dictionary(), Map.of(HeartDisease.DATASET, data),
          PrivacyLedger.open(dir.resolve(e.getKey() + ".ledger"), Pem.privateKey(cfg.privateKey())), share,
          org.consilium.analytics.audit.AuditLog.open(dir.resolve(e.getKey() + ".audit"), e.getKey(), Pem.privateKey(cfg.privateKey()))));
      certs.put(e.getKey(), Pem.certificate(cfg.certificate()).getEncoded());
    }
    return new ProvisionedNodes(agents, certs);
  }

  NodeAgent agent(String id) {
    return agents.get(id);
  }

  /** Node ids, in party order. */
  java.util.Set<String> ids() {
    return certs.keySet();
  }

  /** An offer of the job to all four, each with its certificate and party index, checked against the dictionary. */
  Frame offerFrame(String jobId, String specJson) {
    var spec = JobSpecs.fromJson(specJson).toBuilder().setJobId(jobId).setDictionarySha256(HeartDisease.dictionary().digest()).build();
    JobOffer.Builder offer = JobOffer.newBuilder().setSpec(spec).setSessionId(ByteString.copyFrom(new byte[32]));
    int i = 1;
    for (var c : certs.entrySet()) {
      offer.addPeers(PeerIdentity.newBuilder().setNodeId(c.getKey()).setPartyIndex(i++).setCertificateDer(ByteString.copyFrom(c.getValue())));
    }
    return FrameCodec.frame(MessageType.JOB_OFFER, jobId, 0, offer.build());
  }

  /** A MOMENTS step among all four with a 32-byte session, to change before it is sent. */
  org.consilium.analytics.wire.StepStart.Builder momentsStep() {
    return org.consilium.analytics.wire.StepStart.newBuilder().setKind(org.consilium.analytics.wire.StepStart.Kind.MOMENTS)
        .setSessionId(ByteString.copyFrom(new byte[32])).addAllParticipants(ids());
  }

  /** The STEP_START frame of a job's step. */
  static Frame stepStart(String jobId, int step, org.consilium.analytics.wire.StepStart start) {
    return FrameCodec.frame(MessageType.STEP_START, jobId, 0, start).toBuilder().setStep(step).build();
  }

  /** Offers an exact training job to one node; it must accept. */
  void accept(NodeAgent node, String jobId) throws Exception {
    accept(node, jobId, DefaultJob.trainSpec("AGGREGATION_MASKING"));
  }

  /** Offers a job to one node; it must accept. */
  void accept(NodeAgent node, String jobId, String specJson) throws Exception {
    List<Frame> accepted = node.onFrame(offerFrame(jobId, specJson));
    if (accepted.isEmpty() && deferred != null) accepted = deferred.finishLast(); // admitted on a worker
    assertEquals(MessageType.JOB_ACCEPT, accepted.get(0).getType(), "the node accepts " + jobId + ": " + accepted);
  }

  /** Offers an exact threshold-Paillier statistics job to every node; returns each node's signed contribution. */
  Map<String, SignedContributionProto> offerPaillier(String jobId) throws Exception {
    Frame offer = offerFrame(jobId, DefaultJob.spec("\"Infinity\"").replace("\"specVersion\": 1,",
        "\"specVersion\": 1, \"aggregation\": \"AGGREGATION_THRESHOLD_PAILLIER\", \"threshold\": 3,"));
    Map<String, SignedContributionProto> out = new LinkedHashMap<>();
    for (var e : agents.entrySet()) {
      String id = e.getKey();
      List<Frame> replies = e.getValue().onFrame(offer);
      if (replies.isEmpty() && deferred != null) replies = deferred.finishLast(); // admitted on a worker
      assertEquals(MessageType.JOB_ACCEPT, replies.get(0).getType(), id + " accepts");
      Frame contribution = replies.stream().filter(r -> r.getType() == MessageType.HE_CONTRIBUTION).findFirst()
          .orElseThrow(() -> new AssertionError(id + " sent no HE_CONTRIBUTION with its acceptance"));
      out.put(id, FrameCodec.payload(contribution, SignedContributionProto.parser()));
    }
    return out;
  }

  /** Holds a node's slow work for the test; offers made through {@link #accept} are admitted at once. */
  Deferred defer(NodeAgent node) {
    deferred = Deferred.on(node);
    return deferred;
  }

  /**
   * A node's slow work, held for the test to run by hand: each piece of work, what takes its
   * outcome back, and whether it was asked in order.
   */
  record Deferred(List<Callable<List<Frame>>> works, List<BiFunction<List<Frame>, Throwable, List<Frame>>> backs, List<Boolean> inOrder) {
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
}
