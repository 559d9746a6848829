package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.wire.MessageType;
import org.consilium.he.wire.DecryptRequestProto;
import org.consilium.he.wire.SignedContributionProto;
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

  private ProvisionedNodes nodes;

  /** A node's contribution under a name the curious coordinator chooses. */
  private static SignedContributionProto signed(String node, SignedContributionProto c) {
    return c.toBuilder().setParty(node).build();
  }

  private String refusal(String node, String jobId, DecryptRequestProto req) throws Exception {
    List<Frame> replies = nodes.agent(node).onFrame(FrameCodec.frame(MessageType.HE_DECRYPT, jobId, 1, req));
    assertEquals(1, replies.size());
    assertEquals(MessageType.ERROR, replies.get(0).getType(), node + " must refuse, but answered " + replies.get(0).getType());
    return ErrorReport.parseFrom(replies.get(0).getPayload()).getMessage();
  }

  @Test
  void aJobCheckedAgainstAnotherDictionaryVersionIsRefusedBeforeAnyBudgetIsReserved() throws Exception {
    nodes = ProvisionedNodes.provision(dir);
    Frame checked = nodes.offerFrame("job-dict", DefaultJob.spec("1.0"));
    JobOffer offer = JobOffer.parseFrom(checked.getPayload());
    offer = offer.toBuilder().setSpec(offer.getSpec().toBuilder().setDictionarySha256("0".repeat(64))).build();
    List<Frame> replies = nodes.agent("cleveland").onFrame(FrameCodec.frame(MessageType.JOB_OFFER, "job-dict", 0, offer));
    assertEquals(1, replies.size(), "a refusal and nothing else: " + replies);
    assertEquals(MessageType.JOB_REFUSE, replies.get(0).getType());
    assertEquals("dictionary", org.consilium.analytics.wire.JobDecision.parseFrom(replies.get(0).getPayload()).getPolicy());
  }

  @Test
  void nodesDecryptOnlyASumOfAtLeastTSignedContributionsIncludingTheirOwn() throws Exception {
    nodes = ProvisionedNodes.provision(dir);
    Map<String, SignedContributionProto> c = nodes.offerPaillier("job-guard-1");
    // A single node's ciphertext, presented as "the aggregate".
    String single = refusal("cleveland", "job-guard-1", DecryptRequestProto.newBuilder().addContributions(signed("cleveland", c.get("cleveland"))).build());
    assertTrue(single.contains("threshold is 3"), single);

    Map<String, SignedContributionProto> c2 = nodes.offerPaillier("job-guard-2");
    // Hungarian's contribution relabelled as Switzerland's: the signature does not verify.
    DecryptRequestProto forged = DecryptRequestProto.newBuilder().addContributions(signed("cleveland", c2.get("cleveland")))
        .addContributions(signed("hungarian", c2.get("hungarian")))
        .addContributions(signed("switzerland", c2.get("hungarian"))).build();
    String sig = refusal("cleveland", "job-guard-2", forged);
    assertTrue(sig.contains("signature on 'switzerland'"), sig);

    Map<String, SignedContributionProto> c3 = nodes.offerPaillier("job-guard-3");
    // Three others' contributions, without the asked node's own: it must not help decrypt them.
    DecryptRequestProto withoutMe = DecryptRequestProto.newBuilder().addContributions(signed("hungarian", c3.get("hungarian")))
        .addContributions(signed("switzerland", c3.get("switzerland"))).addContributions(signed("va-long-beach", c3.get("va-long-beach")))
        .build();
    String own = refusal("cleveland", "job-guard-3", withoutMe);
    assertTrue(own.contains("not in the aggregate"), own);

    Map<String, SignedContributionProto> c4 = nodes.offerPaillier("job-guard-4");
    // A contribution signed for another job is refused too.
    DecryptRequestProto replay = DecryptRequestProto.newBuilder().addContributions(signed("cleveland", c4.get("cleveland")))
        .addContributions(signed("hungarian", c.get("hungarian"))).addContributions(signed("switzerland", c4.get("switzerland"))).build();
    String replayed = refusal("cleveland", "job-guard-4", replay);
    assertTrue(replayed.contains("signature on 'hungarian'"), replayed);
  }
}
