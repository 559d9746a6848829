package org.consilium.coordinator.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.consilium.analytics.wire.AdvertiseKeys;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.MaskedInput;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.codec.SecAggCodec;
import org.consilium.analytics.wire.ShareKeys;
import org.consilium.analytics.wire.UnmaskShares;
import org.consilium.mpc.secagg.Messages;
import org.consilium.mpc.secagg.SecAggException;
import org.consilium.mpc.secagg.SecAggServer;
import org.consilium.mpc.secagg.SessionParams;

/** Double-masked secure aggregation (mpc's SecAggServer) between node ids and party indices. */
final class MaskingAggregation implements Aggregation {
  private final String jobId;
  private final Map<String, Integer> partyOf;
  private final Map<Integer, String> nodeOf;
  private final SecAggServer server;

  /** signatures verifies a party's signature against the certificate its node connected with. */
  MaskingAggregation(String jobId, Map<String, Integer> partyOf, Map<Integer, String> nodeOf, SessionParams params,
      org.consilium.mpc.secagg.SignatureCheck signatures) {
    this.jobId = jobId;
    this.partyOf = partyOf;
    this.nodeOf = nodeOf;
    this.server = new SecAggServer(params, signatures);
  }

  @Override
  public String round() {
    return server.round().label();
  }

  @Override
  public SortedSet<String> pending() {
    TreeSet<String> out = new TreeSet<>();
    server.pending().forEach(p -> out.add(nodeOf.get(p)));
    return out;
  }

  @Override
  public void receive(String node, Frame f) {
    int party = partyOf.get(node);
    try {
      switch (f.getType()) {
        case SECAGG_ADVERTISE -> {
          var m = SecAggCodec.fromWire(FrameCodec.payload(f, AdvertiseKeys.parser()));
          requireParty(node, m.party(), party);
          server.receive(m);
        }
        case SECAGG_SHARE_KEYS -> {
          var m = SecAggCodec.fromWire(FrameCodec.payload(f, ShareKeys.parser()));
          requireParty(node, m.party(), party);
          server.receive(m);
        }
        case SECAGG_MASKED_INPUT -> {
          var m = SecAggCodec.fromWire(FrameCodec.payload(f, MaskedInput.parser()));
          requireParty(node, m.party(), party);
          server.receive(m);
        }
        case SECAGG_UNMASK_SHARES -> {
          var m = SecAggCodec.fromWire(FrameCodec.payload(f, UnmaskShares.parser()));
          requireParty(node, m.party(), party);
          server.receive(m);
        }
        default -> throw new IllegalArgumentException("a masking job does not take " + f.getType() + " frames");
      }
    } catch (SecAggException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  private static void requireParty(String node, int claimed, int actual) {
    if (claimed != actual) {
      throw new IllegalArgumentException("node '" + node + "' is party " + actual + " but its message claims party " + claimed);
    }
  }

  @Override
  public Closed close() {
    try {
      Map<String, List<Frame>> sends = new LinkedHashMap<>();
      switch (server.round()) {
        case ADVERTISE_KEYS -> {
          Messages.Roster roster = server.closeAdvertiseKeys();
          for (var a : roster.advertisements()) {
            sends.put(nodeOf.get(a.party()), List.of(FrameCodec.frame(MessageType.SECAGG_ROSTER, jobId, 0,
                SecAggCodec.toWire(server.rosterFor(a.party())))));
          }
        }
        case SHARE_KEYS -> server.closeShareKeys().forEach((p, msg) ->
            sends.put(nodeOf.get(p), List.of(FrameCodec.frame(MessageType.SECAGG_SHARES, jobId, 1, SecAggCodec.toWire(msg)))));
        case MASKED_INPUT -> {
          Messages.UnmaskRequest req = server.closeMaskedInput();
          var wire = SecAggCodec.toWire(req);
          for (int p : req.survivors()) sends.put(nodeOf.get(p), List.of(FrameCodec.frame(MessageType.SECAGG_UNMASK, jobId, 2, wire)));
        }
        case UNMASKING -> {
          Messages.AggregateResult r = server.closeUnmasking();
          return new Closed(Map.of(), r.sum(), r.contributors().stream().map(nodeOf::get).sorted().toList());
        }
        case DONE -> throw new IllegalStateException("aggregation already finished");
      }
      return Closed.next(sends);
    } catch (SecAggException e) {
      throw new AggregationFailedException(e.getMessage());
    }
  }
}
