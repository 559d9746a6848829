package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.MessageType;
import org.consilium.he.wire.DecryptRequestProto;
import org.consilium.he.wire.SignedContributionProto;
import org.consilium.node.session.NodeAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node answers what reads its data off the link's thread (a step's pass over the data, an
 * offer's admission, a threshold decryption): the answer leaves when the work is done, once,
 * and nothing leaves for a job that ended meanwhile. The nodes' protocol logic (NodeAgent, in
 * process, with real kits), its slow work held and run by hand.
 */
class NodeSlowWorkTest {
  @TempDir
  Path dir;

  private ProvisionedNodes nodes;

  /**
   * A training step's pass over the data runs on a worker, its first frames leave when it is
   * done, and nothing leaves for a job that ended meanwhile.
   */
  @Test
  void aStepsPassOverTheDataRunsOffTheLinkAndIsDroppedIfTheJobEndsMeanwhile() throws Exception {
    nodes = ProvisionedNodes.provision(dir);
    NodeAgent cleveland = nodes.agent("cleveland");
    ProvisionedNodes.Deferred slow = nodes.defer(cleveland);
    nodes.accept(cleveland, "job-step-1");
    nodes.accept(cleveland, "job-step-2");
    Frame start = ProvisionedNodes.stepStart("job-step-1", 1, nodes.momentsStep().build());
    assertEquals(List.of(), cleveland.onFrame(start), "answered later, off the link's thread");
    assertEquals(List.of(), cleveland.onFrame(start), "a repeat while it computes starts nothing new");
    assertEquals(1, slow.works().size(), "one pass over the data");
    List<Frame> answer = slow.backs().get(0).apply(slow.works().get(0).call(), null);
    assertEquals(List.of(MessageType.SECAGG_ADVERTISE), answer.stream().map(Frame::getType).toList(), "the step's aggregation starts once done");
    assertEquals(1, answer.get(0).getStep());
    assertEquals(answer, cleveland.onFrame(start), "a repeat afterwards gets the same answer");

    Frame bad = ProvisionedNodes.stepStart("job-step-2", 1, nodes.momentsStep().setSessionId(ByteString.copyFrom(new byte[3])).build());
    assertEquals(List.of(), cleveland.onFrame(bad));
    IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () -> slow.works().get(1).call());
    List<Frame> refused = slow.backs().get(1).apply(null, failed);
    assertEquals(MessageType.ERROR, refused.get(0).getType(), "a step that cannot start is refused when its input is ready: " + refused);
    assertTrue(ErrorReport.parseFrom(refused.get(0).getPayload()).getMessage().contains("session id must be 8..64 bytes"),
        "naming why: " + refused);

    nodes.accept(cleveland, "job-step-3");
    cleveland.onFrame(ProvisionedNodes.stepStart("job-step-3", 1, nodes.momentsStep().build()));
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
    nodes = ProvisionedNodes.provision(dir);
    NodeAgent cleveland = nodes.agent("cleveland");
    ProvisionedNodes.Deferred slow = nodes.defer(cleveland);
    nodes.accept(cleveland, "job-once-1");
    cleveland.onFrame(ProvisionedNodes.stepStart("job-once-1", 1, nodes.momentsStep().build()));
    var fewer = nodes.momentsStep().clearParticipants().addAllParticipants(new ArrayList<>(nodes.ids()).subList(0, 3)).build();
    List<Frame> again = cleveland.onFrame(ProvisionedNodes.stepStart("job-once-1", 1, fewer));
    assertEquals(MessageType.ERROR, again.isEmpty() ? null : again.get(0).getType(), "the same step asked with other participants is refused: " + again);
    assertTrue(ErrorReport.parseFrom(again.get(0).getPayload()).getMessage().contains("step 1 was already started with another request"),
        "naming why: " + again);
    assertEquals(1, slow.works().size(), "one pass over the data for the step, not two");

    nodes.accept(cleveland, "job-once-2", DefaultJob.spec("1.0"));
    var statistics = nodes.momentsStep().setKind(org.consilium.analytics.wire.StepStart.Kind.ONLY).build();
    List<Frame> rerun = cleveland.onFrame(ProvisionedNodes.stepStart("job-once-2", 0, statistics));
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
    nodes = ProvisionedNodes.provision(dir);
    NodeAgent cleveland = nodes.agent("cleveland");
    ProvisionedNodes.Deferred slow = ProvisionedNodes.Deferred.on(cleveland); // not defer(): this test finishes the admissions by hand
    Frame offer = nodes.offerFrame("job-offer-1", DefaultJob.spec("1.0"));
    assertEquals(List.of(), cleveland.onFrame(offer), "answered later, off the link's thread");
    assertEquals(List.of(), cleveland.onFrame(offer), "a repeat while it is admitted starts nothing new");
    assertEquals(List.of(true), slow.inOrder(), "one admission, asked in order with the other offers");
    List<Frame> answer = slow.finishLast();
    assertEquals(List.of(MessageType.JOB_ACCEPT, MessageType.NODE_STATUS, MessageType.SECAGG_ADVERTISE),
        answer.stream().map(Frame::getType).toList(), "accepted, budgets, and the one-step job's aggregation started");
    assertEquals(answer.stream().filter(a -> a.getType() != MessageType.NODE_STATUS).toList(), cleveland.onFrame(offer),
        "a repeat afterwards gets the same answer");

    Frame second = nodes.offerFrame("job-offer-2", DefaultJob.spec("1.0"));
    assertEquals(List.of(), cleveland.onFrame(second));
    assertEquals(List.of(), cleveland.onFrame(FrameCodec.error(MessageType.JOB_ABORT, "job-offer-2", "failed", "too few nodes accepted")),
        "an abort during the admission is kept for when it is back");
    List<Frame> aborted = slow.finishLast();
    assertEquals(List.of(MessageType.NODE_STATUS), aborted.stream().map(Frame::getType).toList(),
        "nothing for the job, only the budgets, its reservation refunded: " + aborted);
    List<Frame> again = cleveland.onFrame(second);
    assertEquals(MessageType.JOB_REFUSE, again.get(0).getType(), "the job id is not admitted twice: " + again);

    assertEquals(List.of(), cleveland.onFrame(nodes.offerFrame("job-offer-3", DefaultJob.spec("1.0"))));
    slow.works().get(0).call(); // admitted: its budget reserved
    List<Frame> failed = slow.backs().get(0).apply(null, new IllegalStateException("the first step could not be built"));
    assertEquals(List.of(MessageType.ERROR, MessageType.NODE_STATUS), failed.stream().map(Frame::getType).toList(),
        "an admission that fails after reserving is refused, and its reservation goes back: " + failed);
    assertTrue(ErrorReport.parseFrom(failed.get(0).getPayload()).getMessage().contains("the first step could not be built"), "naming why");
  }

  /**
   * A node decrypts off its link's thread: the request is answered later (a repeat meanwhile gets
   * nothing new), and a job aborted while its decryption runs stops it and sends nothing.
   */
  @Test
  void decryptionRunsOffTheLinkAndAnAbortStopsIt() throws Exception {
    nodes = ProvisionedNodes.provision(dir);
    NodeAgent cleveland = nodes.agent("cleveland");
    ProvisionedNodes.Deferred slow = nodes.defer(cleveland);
    Map<String, SignedContributionProto> c = nodes.offerPaillier("job-slow-1");
    DecryptRequestProto all = DecryptRequestProto.newBuilder().addContributions(c.get("cleveland")).addContributions(c.get("hungarian"))
        .addContributions(c.get("switzerland")).build();
    Frame request = FrameCodec.frame(MessageType.HE_DECRYPT, "job-slow-1", 1, all);
    assertEquals(List.of(), cleveland.onFrame(request), "answered later, off the link's thread");
    assertEquals(List.of(), cleveland.onFrame(request), "a repeat while it runs starts nothing new");
    assertEquals(1, slow.works().size());
    List<Frame> answer = slow.backs().get(0).apply(slow.works().get(0).call(), null);
    assertEquals(MessageType.HE_PARTIALS, answer.get(0).getType(), "the partial decryptions, once done");
    assertEquals(answer, cleveland.onFrame(request), "a repeat afterwards gets the same answer");

    Map<String, SignedContributionProto> c2 = nodes.offerPaillier("job-slow-2");
    Frame second = FrameCodec.frame(MessageType.HE_DECRYPT, "job-slow-2", 1, DecryptRequestProto.newBuilder()
        .addContributions(c2.get("cleveland")).addContributions(c2.get("hungarian")).addContributions(c2.get("switzerland")).build());
    cleveland.onFrame(second);
    cleveland.onFrame(FrameCodec.error(MessageType.JOB_ABORT, "job-slow-2", "failed", "round 1 threshold-decrypt: too few partials"));
    var stopped = assertThrows(java.util.concurrent.CancellationException.class, () -> slow.works().get(1).call(),
        "the aborted job's decryption stops at its next ciphertext");
    assertEquals(List.of(), slow.backs().get(1).apply(null, stopped), "and nothing is sent for it");
  }
}
