package org.consilium.coordinator.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.MessageType;
import org.consilium.he.aggregation.AggregationFailed;
import org.consilium.he.aggregation.Contribution;
import org.consilium.he.aggregation.PaillierAggregator;
import org.consilium.he.aggregation.Partials;
import org.consilium.he.codec.HeWire;
import org.consilium.he.wire.PartialDecryptionsProto;
import org.consilium.he.wire.SignedContributionProto;
import org.consilium.mpc.ring.RingVector;

/**
 * Threshold-Paillier aggregation over node links: frames to and from he-core's
 * {@link PaillierAggregator}. Round 0 collects every node's signed encrypted vector; closing it
 * sends the contributors the decryption request; round 1 collects partial decryptions and
 * combines t correct ones.
 */
final class PaillierAggregation implements Aggregation {
  private final String jobId;
  private final PaillierAggregator aggregator;

  PaillierAggregation(String jobId, PaillierAggregator aggregator) {
    this.jobId = jobId;
    this.aggregator = aggregator;
  }

  @Override
  public String round() {
    switch (aggregator.stage()) {
      case CONTRIBUTE: return "0 contribute";
      case DECRYPT: return "1 threshold-decrypt";
      default: return "done";
    }
  }

  @Override
  public SortedSet<String> pending() {
    return aggregator.pending();
  }

  @Override
  public void receive(String node, Frame f) {
    if (aggregator.stage() == PaillierAggregator.Stage.CONTRIBUTE && f.getType() == MessageType.HE_CONTRIBUTION) {
      Contribution c = HeWire.fromWire(FrameCodec.payload(f, SignedContributionProto.parser()));
      if (!c.party().equals(node)) throw new IllegalArgumentException("'" + node + "' sent a contribution in the name of '" + c.party() + "'");
      aggregator.receive(c);
    } else if (aggregator.stage() == PaillierAggregator.Stage.DECRYPT && f.getType() == MessageType.HE_PARTIALS) {
      PartialDecryptionsProto p = FrameCodec.payload(f, PartialDecryptionsProto.parser());
      aggregator.receive(new Partials(node, HeWire.fromWire(aggregator.encryptionKey(), p, p.getValuesCount())));
    } else {
      throw new IllegalArgumentException("round " + round() + " does not take " + f.getType() + " frames");
    }
  }

  @Override
  public boolean slowToClose() {
    return true;
  }

  @Override
  public Closed close() {
    String closing = round();
    try {
      if (aggregator.stage() == PaillierAggregator.Stage.CONTRIBUTE) {
        Frame request = FrameCodec.frame(MessageType.HE_DECRYPT, jobId, 1, HeWire.toWire(aggregator.closeContributions()));
        Map<String, List<Frame>> sends = new LinkedHashMap<>();
        aggregator.contributors().forEach(n -> sends.put(n, List.of(request)));
        return Closed.next(sends);
      }
      return new Closed(Map.of(), RingVector.adopt(aggregator.finish().toArray()), aggregator.contributors());
    } catch (AggregationFailed e) {
      throw new AggregationFailedException("round " + closing + ": " + e.getMessage());
    }
  }
}
