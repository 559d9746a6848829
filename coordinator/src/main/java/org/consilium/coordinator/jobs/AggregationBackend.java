package org.consilium.coordinator.jobs;

import java.security.SecureRandom;
import java.util.List;
import java.util.TreeSet;
import org.consilium.analytics.identity.Signatures;
import org.consilium.he.aggregation.AggregationSession;
import org.consilium.he.aggregation.PaillierAggregator;
import org.consilium.he.threshold.ThresholdPublicKey;
import org.consilium.mpc.secagg.SessionParams;

/**
 * The server side of the aggregation backend a job's spec names, for each of its steps: mpc's
 * secure-aggregation server (masking) or he-core's threshold-Paillier aggregator. Either checks
 * what a node signs against the certificate the job was offered with (stored with the job, so
 * an instance that resumes it checks the same).
 */
final class AggregationBackend implements LiveJob.Aggregations {
  private final ThresholdPublicKey heKey;
  private final SecureRandom rng = new SecureRandom();

  /** heKey is the consortium's threshold Paillier key, or null if it has none. */
  AggregationBackend(ThresholdPublicKey heKey) {
    this.heKey = heKey;
  }

  boolean hasPaillierKey() {
    return heKey != null;
  }

  /** A fresh session id for an offer or a step. */
  byte[] newSession() {
    byte[] s = new byte[32];
    rng.nextBytes(s);
    return s;
  }

  @Override
  public Aggregation create(LiveJob job, List<String> members, byte[] session, int length) {
    if (job.spec.getAggregation() == org.consilium.analytics.wire.Aggregation.AGGREGATION_THRESHOLD_PAILLIER) {
      if (heKey == null) throw new IllegalStateException("job " + job.id + " needs the consortium's threshold Paillier key (he.public_key)");
      var heSession = new AggregationSession(job.id, job.step, new TreeSet<>(members), job.threshold, length);
      return new PaillierAggregation(job.id, new PaillierAggregator(heSession, heKey, (node, message, signature) ->
          job.certificates.containsKey(node) && Signatures.verify(job.certificates.get(node), message, signature)));
    }
    TreeSet<Integer> parties = new TreeSet<>();
    members.forEach(n -> parties.add(job.partyOf.get(n)));
    return new MaskingAggregation(job.id, job.partyOf, job.nodeOf, new SessionParams(session, parties, job.threshold, length, job.spec.getSecaggNeighbours()),
        (p, message, signature) -> job.nodeOf.containsKey(p) && Signatures.verify(job.certificates.get(job.nodeOf.get(p)), message, signature));
  }
}
