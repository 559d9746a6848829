package org.consilium.coordinator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.data.CsvLoader;
import org.consilium.analytics.data.BadRowPolicy;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.identity.Pem;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.JobStatus;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.wire.PeerIdentity;
import org.consilium.deploy.Provisioner;
import org.consilium.mpc.secagg.SessionParams;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.identity.NodeIdentity;
import org.consilium.node.ledger.PrivacyLedger;
import org.consilium.node.session.NodeAgent;
import org.consilium.simulations.DefaultJob;
import org.consilium.simulations.HeartDisease;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's job logic and four real node agents (their ledgers and audit logs on disk)
 * in one process, joined by an in-memory link that interleaves the parties' messages at
 * random, repeats the latest message of a link (as a node or coordinator that resumes does),
 * drops messages, and hands a job to a second coordinator instance in the middle of a round by
 * storing and replaying its state. Exact statistics make the released numbers checkable: they
 * must equal the pooled statistics over the contributors, whatever the network did.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InProcessJobTest {
  @TempDir
  static Path dir;
  private final Map<String, NodeAgent> agents = new LinkedHashMap<>();
  private final Map<String, Dataset> data = new LinkedHashMap<>();
  private final Map<String, PeerIdentity> peers = new LinkedHashMap<>();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private DataDictionary dictionary;
  private int jobs;

  @BeforeAll
  void provision() throws Exception {
    Map<String, Path> csv = HeartDisease.extractTo(dir.resolve("data"));
    List<Provisioner.NodePlan> plans = new ArrayList<>();
    csv.forEach((id, file) -> plans.add(new Provisioner.NodePlan(id, Map.of(HeartDisease.DATASET, file),
        Map.of("policy.allow_exact_release", "true", "policy.min_cohort_size", "5"))));
    Provisioner.Consortium kits = Provisioner.provision(new Provisioner.Plan("inproc", dir.resolve("kits"), "127.0.0.1", 1, 2, 3,
        plans, Map.of(), 0, HeartDisease.dictionaryText()));
    dictionary = HeartDisease.dictionary();
    int party = 1;
    for (var e : kits.nodeConfigs().entrySet()) {
      NodeConfig cfg = NodeConfig.load(e.getValue(), Map.of());
      var ds = cfg.datasets().get(HeartDisease.DATASET);
      Dataset d;
      try (java.io.InputStream r = Files.newInputStream(((org.consilium.node.data.DataSource.CsvFile) ds.source()).path())) {
        d = dictionary.conform(HeartDisease.DATASET, new CsvLoader(BadRowPolicy.SKIP, 1_000_000).load(HeartDisease.DATASET, r));
      }
      data.put(e.getKey(), d);
      NodeIdentity identity = NodeIdentity.fromKit(cfg);
      PrivacyLedger ledger = PrivacyLedger.open(cfg.ledger(), Pem.privateKey(cfg.privateKey()));
      closing.add(ledger);
      AuditLog audit = AuditLog.open(cfg.auditLog(), cfg.nodeId(), Pem.privateKey(cfg.privateKey()));
      agents.put(e.getKey(), new NodeAgent(cfg, identity, dictionary, Map.of(HeartDisease.DATASET, d), ledger, null, audit));
      peers.put(e.getKey(), PeerIdentity.newBuilder().setNodeId(e.getKey()).setPartyIndex(party++)
          .setCertificateDer(ByteString.copyFrom(identity.certificate().getEncoded())).build());
    }
  }

  @AfterAll
  void close() throws Exception {
    for (AutoCloseable c : closing) c.close();
  }

  /** One coordinator instance's job logic, with the world it runs in made of plain fields. */
  private final class Instance implements JobLifecycle.Effects {
    final JobLifecycle lifecycle = new JobLifecycle(this);
    final Set<String> connected = new TreeSet<>(agents.keySet());
    final SecureRandom rng = new SecureRandom();
    boolean ended;
    /** Aggregations say they are slow to close, and their closes wait here until the test lets the "worker" finish them. */
    boolean slowCloses;
    final List<Runnable> offloaded = new java.util.ArrayList<>();
    int offloads;

    @Override
    public void offload(LiveJob job, java.util.function.Supplier<Aggregation.Closed> close,
        java.util.function.BiConsumer<Aggregation.Closed, RuntimeException> then) {
      offloads++;
      offloaded.add(() -> {
        Aggregation.Closed closed;
        try {
          closed = close.get();
        } catch (RuntimeException e) {
          then.accept(null, e);
          return;
        }
        then.accept(closed, null);
      });
    }

    @Override
    public boolean connected(String node) {
      return connected.contains(node);
    }

    @Override
    public byte[] newSession() {
      byte[] s = new byte[32];
      rng.nextBytes(s);
      return s;
    }

    @Override
    public Aggregation aggregation(LiveJob job, List<String> members, byte[] session, int length) {
      TreeSet<Integer> parties = new TreeSet<>();
      members.forEach(n -> parties.add(job.partyOf.get(n)));
      Aggregation masking = new MaskingAggregation(job.id, job.partyOf, job.nodeOf, new SessionParams(session, parties, job.threshold, length),
          (p, message, signature) -> org.consilium.analytics.identity.Signatures.verify(job.certificates.get(job.nodeOf.get(p)),
              message, signature));
      if (!slowCloses) return masking;
      return new Aggregation() {
        @Override
        public String round() {
          return masking.round();
        }

        @Override
        public java.util.SortedSet<String> pending() {
          return masking.pending();
        }

        @Override
        public void receive(String node, Frame frame) {
          masking.receive(node, frame);
        }

        @Override
        public Closed close() {
          return masking.close();
        }

        @Override
        public boolean slowToClose() {
          return true;
        }
      };
    }

    @Override
    public void audit(String event, String jobId, String... details) {}

    @Override
    public void deadline(LiveJob job) {}

    @Override
    public void ended(LiveJob job) {
      ended = true;
    }
  }

  /** A message in flight: to the coordinator (node = sender) or to a node. */
  private record Message(boolean toCoordinator, String node, Frame frame) {}

  /**
   * The network: one FIFO queue per link and direction (TCP keeps a link's order), the links
   * served in random order, so the parties' messages interleave at random; a repeat puts a copy
   * of a message at the end of its link's queue.
   */
  private final class Network {
    final Random random;
    final Map<String, java.util.ArrayDeque<Message>> links = new java.util.TreeMap<>();
    final double repeat;
    final Set<String> silenced = new TreeSet<>();
    Instance coordinator;
    LiveJob job;

    Network(long seed, double repeat, Instance coordinator, LiveJob job) {
      this.random = new Random(seed);
      this.repeat = repeat;
      this.coordinator = coordinator;
      this.job = job;
    }

    void fromCoordinator() {
      for (LiveJob.Outgoing o : job.outbox) send(new Message(false, o.node(), o.frame()));
      job.outbox.clear();
    }

    void send(Message m) {
      links.computeIfAbsent((m.toCoordinator() ? "up " : "down ") + m.node(), k -> new java.util.ArrayDeque<>()).add(m);
    }

    boolean idle() {
      return links.values().stream().allMatch(java.util.ArrayDeque::isEmpty);
    }

    /** The next message of a link chosen at random. */
    Message next() {
      List<java.util.ArrayDeque<Message>> busy = links.values().stream().filter(q -> !q.isEmpty()).toList();
      return busy.get(random.nextInt(busy.size())).poll();
    }

    /** Delivers messages until none is left; then, like the runner's deadline, closes the round; until the job ends. */
    void run(int maxSteps) {
      fromCoordinator();
      for (int steps = 0; steps < maxSteps && !coordinator.ended; steps++) {
        if (!coordinator.offloaded.isEmpty()) {
          double r = random.nextDouble();
          if (r < 0.2) {
            coordinator.lifecycle.closeRound(job); // the deadline passes while the worker is still closing
            coordinator.lifecycle.advance(job);
            fromCoordinator();
            continue;
          }
          if (idle() || r < 0.4) {
            // The worker finishes a close, at a random moment among the deliveries; the runner then advances the job.
            coordinator.offloaded.remove(0).run();
            coordinator.lifecycle.advance(job);
            fromCoordinator();
            continue;
          }
        }
        if (idle()) {
          coordinator.lifecycle.closeRound(job); // the round's deadline
          coordinator.lifecycle.advance(job);
          fromCoordinator();
          continue;
        }
        Message m = next();
        if (silenced.contains(m.node())) continue;
        if (random.nextDouble() < repeat) send(m); // the same message again, later
        deliver(m);
      }
      assertTrue(coordinator.ended, "the job ended within " + maxSteps + " deliveries: " + job.record.encodePrettily());
    }

    void deliver(Message m) {
      if (m.toCoordinator()) {
        if (!coordinator.connected(m.node())) return;
        try {
          coordinator.lifecycle.take(job, m.node(), m.frame().toBuilder().setSender(m.node()).build());
        } catch (IllegalArgumentException e) {
          // The runner answers an ERROR; the node then drops the job: deliver that too.
          send(new Message(false, m.node(), FrameCodec.error(job.id, "refused", e.getMessage())));
        }
        coordinator.lifecycle.advance(job);
        fromCoordinator();
      } else {
        for (Frame out : agents.get(m.node()).onFrame(m.frame())) {
          if (out.getType() != MessageType.NODE_STATUS) send(new Message(true, m.node(), out));
        }
      }
    }
  }

  /** Offers an exact statistics job to every node through a fresh coordinator instance. */
  private Network offer(long seed, double repeat) throws Exception {
    JobSpec spec = JobSpecs.fromJson(DefaultJob.spec("\"Infinity\"")).toBuilder().setJobId("job-inproc-" + (++jobs))
        .addAllNodes(agents.keySet()).setThreshold(3).setDictionarySha256(dictionary.digest()).build();
    Instance coordinator = new Instance();
    byte[] session = coordinator.newSession();
    Computation computation = Computation.of(spec, agents.size(), dictionary);
    LiveJob job = new LiveJob(spec, List.copyOf(peers.values()), session, computation,
        new JsonObject().put("id", spec.getJobId()).put("rounds", new JsonArray()).put("refusals", new JsonArray()), n -> List.of());
    job.beginStep(spec.getNodesList(), session, coordinator.aggregation(job, spec.getNodesList(), session, job.vectorLength()));
    JobOffer offer = JobOffer.newBuilder().setSpec(spec).setSessionId(ByteString.copyFrom(session)).addAllPeers(peers.values()).build();
    for (String n : agents.keySet()) coordinator.lifecycle.queue(job, n, FrameCodec.frame(MessageType.JOB_OFFER, spec.getJobId(), 0, offer));
    return new Network(seed, repeat, coordinator, job);
  }

  private JobResult released(Network net) throws Exception {
    assertEquals(JobStatus.RELEASED, net.job.status, "released: " + net.job.record.encodePrettily());
    JobResult.Builder r = JobResult.newBuilder();
    JsonFormat.parser().merge(net.job.record.getJsonObject("result").encode(), r);
    return r.build();
  }

  private org.consilium.analytics.wire.StatisticsResult pooled(List<String> contributors) {
    List<Dataset> parts = contributors.stream().map(data::get).toList();
    return DefaultJob.query(JobSpecs.fromJson(DefaultJob.spec("\"Infinity\""))).exact(Dataset.concat("pooled", parts));
  }

  @Test
  void interleavedAndRepeatedMessagesReleaseThePooledStatistics() throws Exception {
    for (long seed = 1; seed <= 6; seed++) {
      Network net = offer(seed, 0.3);
      net.run(5_000);
      JobResult r = released(net);
      assertEquals(List.copyOf(agents.keySet()), r.getAccounting().getContributorsList(), "seed " + seed + ": everyone contributed: " + net.job.record.encodePrettily());
      assertEquals(pooled(r.getAccounting().getContributorsList()), r.getStatistics(), "seed " + seed);
    }
  }

  /**
   * A round slow to close (threshold Paillier's) is closed by a worker while frames keep
   * arriving and deadlines pass: a frame during the close is late (ignored, like one after the
   * deadline), a deadline does not close it twice, and the job releases what it would have.
   */
  @Test
  void roundsClosedOnAWorkerWhileFramesAndDeadlinesArriveReleaseThePooledStatistics() throws Exception {
    for (long seed = 1; seed <= 4; seed++) {
      Network net = offer(seed, 0.3);
      net.coordinator.slowCloses = true;
      net.job.beginStep(net.job.stepMembers, net.job.stepSession,
          net.coordinator.aggregation(net.job, net.job.stepMembers, net.job.stepSession, net.job.vectorLength()));
      net.run(5_000);
      JobResult r = released(net);
      assertTrue(net.coordinator.offloads >= 4, "every round was closed off the loop: " + net.coordinator.offloads);
      assertEquals(pooled(r.getAccounting().getContributorsList()), r.getStatistics(), "seed " + seed);
    }
  }

  @Test
  void aNodeWhoseMessagesAreDroppedMidJobIsADropoutAndTheRestRelease() throws Exception {
    for (long seed = 1; seed <= 4; seed++) {
      Network net = offer(seed, 0.1);
      String lost = List.copyOf(agents.keySet()).get((int) seed % agents.size());
      // Deliver a few messages, then the node's link goes silent (and the coordinator notices the lost connection).
      net.fromCoordinator();
      for (int i = 0; i < 6 + seed && !net.idle(); i++) net.deliver(net.next());
      net.silenced.add(lost);
      net.coordinator.connected.remove(lost);
      net.run(5_000);
      JobResult r = released(net);
      assertTrue(!r.getAccounting().getContributorsList().contains(lost), "seed " + seed + ": " + lost + " dropped out");
      assertEquals(pooled(r.getAccounting().getContributorsList()), r.getStatistics(), "seed " + seed + ": the survivors' statistics");
    }
  }

  /**
   * Mid-round, the job's state is stored and replayed by a second instance with a newer epoch,
   * which sends the round's frames again; frames still in flight from the first instance reach
   * the nodes after the second's and are ignored (their epoch is older). Same result.
   */
  @Test
  void aJobReplayedByAnotherInstanceMidRoundReleasesTheSameStatistics() throws Exception {
    for (long seed = 1; seed <= 6; seed++) {
      Network net = offer(seed, 0.2);
      net.fromCoordinator();
      int before = 3 + (int) (seed * 5); // from before the first round closes to the unmasking
      for (int i = 0; i < before && !net.idle(); i++) net.deliver(net.next());
      assertTrue(!net.coordinator.ended, "seed " + seed + ": the handover comes before the release");
      var stored = net.job.state().toBuilder().setEpoch(net.job.epoch + 1).build();
      Instance second = new Instance();
      LiveJob resumed = LiveJob.resume(stored, dictionary, n -> List.of(), second::aggregation);
      resumed.resumedWaiting = true;
      second.lifecycle.sendRound(resumed, resumed.roundSends.keySet());
      // Nodes also re-send what they last sent (JOB_RESUME): modelled by repeats of the in-flight node messages.
      net.coordinator = second;
      net.job = resumed;
      net.run(5_000);
      JobResult r = released(net);
      assertEquals(pooled(r.getAccounting().getContributorsList()), r.getStatistics(), "seed " + seed + " after the handover");
      assertTrue(r.getAccounting().getContributorsCount() >= 3, "at least t contributed: " + r.getAccounting());
    }
  }

  /**
   * Once a node has heard the new owner, the old one cannot make it drop the job: a JOB_ABORT
   * carrying the old epoch is ignored, and the node contributes to the release.
   */
  @Test
  void aNodeIgnoresAnAbortFromTheOwnerItHasSeenReplaced() throws Exception {
    Network net = offer(42, 0);
    net.fromCoordinator();
    for (int i = 0; i < 14 && !net.idle(); i++) net.deliver(net.next());
    assertTrue(!net.coordinator.ended, "the handover comes before the release");
    var stored = net.job.state().toBuilder().setEpoch(net.job.epoch + 1).build();
    Instance second = new Instance();
    LiveJob resumed = LiveJob.resume(stored, dictionary, n -> List.of(), second::aggregation);
    resumed.resumedWaiting = true;
    second.lifecycle.sendRound(resumed, resumed.roundSends.keySet());
    String node = List.copyOf(agents.keySet()).get(1);
    Frame fromNewOwner = resumed.outbox.stream().filter(o -> o.node().equals(node)).findFirst().orElseThrow().frame();
    agents.get(node).onFrame(fromNewOwner); // the node hears the new owner (its answer is repeated later from the network)
    Frame staleAbort = FrameCodec.error(MessageType.JOB_ABORT, net.job.id, "failed", "the old owner gives up").toBuilder()
        .setEpoch(net.job.epoch).build();
    assertEquals(List.of(), agents.get(node).onFrame(staleAbort), "the old owner's abort is ignored");
    net.coordinator = second;
    net.job = resumed;
    net.run(5_000);
    JobResult r = released(net);
    assertTrue(r.getAccounting().getContributorsList().contains(node), node + " stayed in the job: " + r.getAccounting());
    assertEquals(pooled(r.getAccounting().getContributorsList()), r.getStatistics());
  }
}
