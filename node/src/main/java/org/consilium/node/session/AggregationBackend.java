package org.consilium.node.session;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import org.consilium.analytics.wire.Aggregation;
import java.util.TreeSet;
import org.consilium.he.aggregation.AggregationSession;
import org.consilium.he.aggregation.PaillierContributor;
import org.consilium.he.aggregation.SignatureCheck;
import org.consilium.he.threshold.KeyShare;
import org.consilium.mpc.ring.RingVector;
import org.consilium.mpc.secagg.PeerAuthenticator;
import org.consilium.mpc.secagg.SecAggParty;
import org.consilium.mpc.secagg.SessionParams;
import org.consilium.node.identity.NodeIdentity;

/**
 * The node's side of the two aggregation backends: for one step of a job, a masking session
 * (mpc's SecAggParty, peers authenticated by their certificates) or a threshold Paillier one
 * (this node's key share), chosen by the job's spec.
 */
final class AggregationBackend {
  private final NodeIdentity identity;
  private final KeyShare keyShare;
  private final SecureRandom rng;

  AggregationBackend(NodeIdentity identity, KeyShare keyShare, SecureRandom rng) {
    this.identity = identity;
    this.keyShare = keyShare;
    this.rng = rng;
  }

  JobSession session(AcceptedJob job, int step, SortedSet<Integer> parties, byte[] sessionId, RingVector input) {
    if (job.spec.getAggregation() == Aggregation.AGGREGATION_THRESHOLD_PAILLIER) {
      Map<String, X509Certificate> byNode = new HashMap<>();
      job.indexOf.forEach((node, i) -> {
        if (parties.contains(i)) byNode.put(node, job.peers.get(i));
      });
      var session = new AggregationSession(job.id, step, new TreeSet<>(byNode.keySet()), job.threshold, input.length());
      SignatureCheck peers = (node, message, signature) -> byNode.containsKey(node) && NodeIdentity.verify(byNode.get(node), message, signature);
      return new PaillierSession(job.id, new PaillierContributor(session, identity.nodeId(), keyShare, identity::sign, peers, rng), input);
    }
    SessionParams params = new SessionParams(sessionId, parties, job.threshold, input.length(), job.spec.getSecaggNeighbours());
    PeerAuthenticator auth = new PeerAuthenticator() {
      @Override
      public byte[] sign(byte[] message) {
        return identity.sign(message);
      }

      @Override
      public boolean verify(int party, byte[] message, byte[] signature) {
        X509Certificate c = job.peers.get(party);
        return c != null && NodeIdentity.verify(c, message, signature);
      }
    };
    return new MaskingSession(job.id, new SecAggParty(params, job.self, input, auth, rng));
  }
}
