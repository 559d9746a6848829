package org.consilium.coordinator.jobs;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.consilium.analytics.he.HeAggregation;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.HeContribution;
import org.consilium.analytics.wire.HeDecryptRequest;
import org.consilium.analytics.wire.HeSignedContribution;
import org.consilium.analytics.wire.MessageType;
import org.consilium.he.encoding.SlotPacking;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.paillier.PaillierPublicKey;
import org.consilium.he.threshold.PartialDecryption;
import org.consilium.he.threshold.ThresholdPublicKey;
import org.consilium.he.wire.EncryptedVectorProto;
import org.consilium.he.codec.HeWire;
import org.consilium.he.wire.PartialDecryptionsProto;
import org.consilium.mpc.ring.RingVector;

/**
 * Threshold-Paillier aggregation: round 0 collects every node's encrypted, signed vector; the
 * coordinator adds them under encryption and asks the contributors to decrypt the sum (handing
 * them the signed contributions so that each can check what it decrypts); round 1 collects the
 * partial decryptions, checks their proofs, and combines any t correct ones. A node whose proof
 * fails is left out by name; fewer than the key's threshold of correct ones fails the job.
 */
final class PaillierAggregation implements Aggregation {
  private final String jobId;
  private final List<String> participants;
  private final int threshold;
  private final ThresholdPublicKey key;
  private final PaillierPublicKey pk;
  private final SlotPacking packing;
  private final int length;
  private int round;
  private final Map<String, HeContribution> contributions = new TreeMap<>();
  private final Map<String, List<Ciphertext>> decoded = new TreeMap<>();
  private final Map<String, List<PartialDecryption>> partials = new TreeMap<>();
  private List<Ciphertext> sum;
  private List<String> contributors;

  PaillierAggregation(String jobId, List<String> participants, int threshold, ThresholdPublicKey key, int length) {
    this.jobId = jobId;
    this.participants = List.copyOf(participants);
    this.threshold = threshold;
    this.key = key;
    this.pk = key.encryptionKey();
    this.packing = HeAggregation.packing(pk, participants.size());
    this.length = length;
  }

  @Override
  public String round() {
    return round == 0 ? "0 contribute" : round == 1 ? "1 threshold-decrypt" : "done";
  }

  @Override
  public SortedSet<String> pending() {
    TreeSet<String> out = new TreeSet<>(round == 0 ? participants : round == 1 ? contributors : List.of());
    out.removeAll(round == 0 ? contributions.keySet() : partials.keySet());
    return out;
  }

  @Override
  public void receive(String node, Frame f) {
    if (round == 0 && f.getType() == MessageType.HE_CONTRIBUTION) {
      if (contributions.containsKey(node)) throw new IllegalArgumentException("duplicate contribution from '" + node + "'");
      HeContribution c = FrameCodec.payload(f, HeContribution.parser());
      EncryptedVectorProto v = HeWire.parse(EncryptedVectorProto.parser(), c.getEncryptedVector().toByteArray(), "encrypted vector");
      decoded.put(node, HeWire.ciphertexts(pk, v, length, packing.plaintexts(length)));
      contributions.put(node, c);
    } else if (round == 1 && f.getType() == MessageType.HE_PARTIALS) {
      if (!contributors.contains(node)) throw new IllegalArgumentException("'" + node + "' did not contribute and is not asked to decrypt");
      if (partials.containsKey(node)) throw new IllegalArgumentException("duplicate partial decryptions from '" + node + "'");
      PartialDecryptionsProto p = FrameCodec.payload(f, PartialDecryptionsProto.parser());
      partials.put(node, HeWire.fromWire(pk, p, sum.size()));
    } else {
      throw new IllegalArgumentException("round " + round() + " does not take " + f.getType() + " frames");
    }
  }

  @Override
  public Closed close() {
    if (round == 0) {
      if (contributions.size() < threshold) {
        throw new AggregationFailedException("round " + round() + ": only " + contributions.size() + " of " + participants.size()
            + " nodes contributed, threshold is " + threshold + "; nothing is released");
      }
      contributors = List.copyOf(contributions.keySet());
      sum = HeAggregation.sum(pk, new ArrayList<>(decoded.values()));
      HeDecryptRequest.Builder req = HeDecryptRequest.newBuilder();
      contributions.forEach((node, c) -> req.addContributions(HeSignedContribution.newBuilder().setNodeId(node)
          .setEncryptedVector(c.getEncryptedVector()).setSignature(c.getSignature())));
      Frame frame = FrameCodec.frame(MessageType.HE_DECRYPT, jobId, 1, req.build());
      Map<String, List<Frame>> sends = new LinkedHashMap<>();
      contributors.forEach(n -> sends.put(n, List.of(frame)));
      round = 1;
      return Closed.next(sends);
    }
    if (round != 1) throw new IllegalStateException("aggregation already finished");
    // Every proof is checked once; a node whose proof fails is left out by name; t correct ones combine.
    ThresholdPublicKey.VectorDecryption decrypted;
    try {
      decrypted = key.decryptVector(sum, new ArrayList<>(partials.values()));
    } catch (ThresholdPublicKey.TooFewCorrectPartials e) {
      // Name the nodes: each sent the partial decryptions of its own key share (its party index).
      List<String> failed = partials.entrySet().stream().filter(p -> !p.getValue().isEmpty()
          && e.rejected().contains(p.getValue().get(0).party())).map(Map.Entry::getKey).toList();
      throw new AggregationFailedException("round " + round() + ": " + e.getMessage() + (failed.isEmpty() ? "" : " (nodes " + failed + ")")
          + "; nothing is released");
    }
    List<BigInteger> plaintexts = decrypted.plaintexts();
    round = 2;
    long[] values = packing.unpack(plaintexts, length, contributors.size());
    return new Closed(Map.of(), RingVector.adopt(values), contributors);
  }
}
