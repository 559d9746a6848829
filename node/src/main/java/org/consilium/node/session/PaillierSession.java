package org.consilium.node.session;

import java.util.List;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.MessageType;
import org.consilium.he.aggregation.PaillierContributor;
import org.consilium.he.aggregation.RingValues;
import org.consilium.he.codec.HeWire;
import org.consilium.he.wire.DecryptRequestProto;
import org.consilium.mpc.ring.RingVector;

/**
 * One step of a job aggregated under threshold Paillier: frames to and from he-core's
 * {@link PaillierContributor}, which encrypts and signs the node's (noised) vector and checks
 * every decryption request before it decrypts anything.
 */
final class PaillierSession implements JobSession {
  private final String jobId;
  private final PaillierContributor contributor;
  private final RingVector input;
  private volatile boolean cancelled;

  PaillierSession(String jobId, PaillierContributor contributor, RingVector input) {
    this.jobId = jobId;
    this.contributor = contributor;
    this.input = input;
  }

  @Override
  public List<Frame> start() {
    return List.of(FrameCodec.frame(MessageType.HE_CONTRIBUTION, jobId, 0, HeWire.toWire(contributor.contribute(RingValues.of(input.toArray())))));
  }

  @Override
  public List<Frame> onFrame(Frame f) {
    if (f.getType() != MessageType.HE_DECRYPT) throw new IllegalArgumentException("a threshold-Paillier job does not take " + f.getType() + " frames");
    var request = HeWire.fromWire(FrameCodec.payload(f, DecryptRequestProto.parser()));
    return List.of(FrameCodec.frame(MessageType.HE_PARTIALS, jobId, 1,
        HeWire.toWire(contributor.decrypt(request, () -> cancelled).decryption())));
  }

  @Override
  public boolean slow(Frame f) {
    return f.getType() == MessageType.HE_DECRYPT;
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  @Override
  public boolean dataSent() {
    return contributor.contributed();
  }
}
