package org.consilium.node.session;

import java.util.List;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.wire.Roster;
import org.consilium.analytics.codec.SecAggCodec;
import org.consilium.analytics.wire.SharesForParty;
import org.consilium.analytics.wire.UnmaskRequest;
import org.consilium.mpc.secagg.SecAggParty;

/** A job aggregated by double-masked secure aggregation (mpc). */
final class MaskingSession implements JobSession {
  private final String jobId;
  private final SecAggParty party;
  private boolean dataSent;

  MaskingSession(String jobId, SecAggParty party) {
    this.jobId = jobId;
    this.party = party;
  }

  @Override
  public List<Frame> start() {
    return List.of(FrameCodec.frame(MessageType.SECAGG_ADVERTISE, jobId, 0, SecAggCodec.toWire(party.advertise())));
  }

  @Override
  public List<Frame> onFrame(Frame f) {
    switch (f.getType()) {
      case SECAGG_ROSTER:
        return List.of(FrameCodec.frame(MessageType.SECAGG_SHARE_KEYS, jobId, 1,
            SecAggCodec.toWire(party.onRoster(SecAggCodec.fromWire(FrameCodec.payload(f, Roster.parser()))))));
      case SECAGG_SHARES:
        var masked = party.onShares(SecAggCodec.fromWire(FrameCodec.payload(f, SharesForParty.parser())));
        dataSent = true;
        return List.of(FrameCodec.frame(MessageType.SECAGG_MASKED_INPUT, jobId, 2, SecAggCodec.toWire(masked)));
      case SECAGG_UNMASK:
        return List.of(FrameCodec.frame(MessageType.SECAGG_UNMASK_SHARES, jobId, 3,
            SecAggCodec.toWire(party.onUnmaskRequest(SecAggCodec.fromWire(FrameCodec.payload(f, UnmaskRequest.parser()))))));
      default:
        throw new IllegalArgumentException("a masking job does not take " + f.getType() + " frames");
    }
  }

  @Override
  public boolean dataSent() {
    return dataSent;
  }
}
