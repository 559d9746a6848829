package org.consilium.node.session;

import java.security.cert.X509Certificate;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.consilium.analytics.data.Cohort;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.identity.Pem;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.Aggregation;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.PeerIdentity;
import org.consilium.he.threshold.KeyShare;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.identity.NodeIdentity;
import org.consilium.node.ledger.PrivacyLedger;
import org.consilium.node.policy.CohortTest;
import org.consilium.node.policy.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node takes part in an offered job: the spec against its data dictionary, the
 * peers against the consortium CA, the Paillier key share, the dataset and cohort, and its
 * policy; then the reservation in the ledger (durable before anything computed from the data
 * leaves) and, for DP jobs, the noisy cohort test. A refusal names the rule.
 */
final class Admission {
  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  /** The answer to an offer. */
  sealed interface Decision permits Refused, Admitted {}

  record Refused(String rule, String reason) implements Decision {}

  /** Accepted: the job with this node's side of the computation, and what was reserved on which dataset. */
  record Admitted(AcceptedJob job, Computation computation, String dataset, double reserved, String dataFingerprint)
      implements Decision {}

  private final NodeConfig config;
  private final NodeIdentity identity;
  private final DataDictionary dictionary;
  private final Map<String, Dataset> datasets;
  private final PrivacyLedger ledger;
  private final Policy policy;
  private final KeyShare keyShare;
  private final SecureRandom rng;

  Admission(NodeConfig config, NodeIdentity identity, DataDictionary dictionary, Map<String, Dataset> datasets, PrivacyLedger ledger,
      KeyShare keyShare, SecureRandom rng) {
    this.config = config;
    this.identity = identity;
    this.dictionary = dictionary;
    this.datasets = datasets;
    this.ledger = ledger;
    this.policy = new Policy(config.policy());
    this.keyShare = keyShare;
    this.rng = rng;
  }

  Decision admit(JobOffer offer) {
    JobSpec spec = offer.getSpec();
    String jobId = spec.getJobId();
    if (!spec.getDictionarySha256().equals(dictionary.digest())) {
      return new Refused("dictionary", "the job was checked against another version of the data dictionary than this node's");
    }
    Computation computation;
    try {
      computation = Computation.of(spec, offer.getPeersCount(), dictionary);
    } catch (InvalidSpecException e) {
      return new Refused("spec", e.getMessage());
    }
    NodeConfig.DatasetConfig dataset = config.datasets().get(spec.getDataset());
    if (dataset == null) return new Refused("datasets", "this node has no dataset '" + spec.getDataset() + "'");
    Map<Integer, X509Certificate> peers = new TreeMap<>();
    Map<String, Integer> indexOf = new HashMap<>();
    Integer me = null;
    for (PeerIdentity p : offer.getPeersList()) {
      X509Certificate cert = Pem.certificate(p.getCertificateDer().toByteArray());
      String id;
      try {
        id = identity.verifiedNodeId(cert);
      } catch (IllegalArgumentException e) {
        return new Refused("peer_identity", "peer '" + p.getNodeId() + "': " + e.getMessage());
      }
      if (!id.equals(p.getNodeId())) return new Refused("peer_identity", "peer '" + p.getNodeId() + "' presents the certificate of '" + id + "'");
      if (p.getPartyIndex() < 1 || peers.put(p.getPartyIndex(), cert) != null) {
        return new Refused("peer_identity", "party index " + p.getPartyIndex() + " is invalid or used twice");
      }
      indexOf.put(id, p.getPartyIndex());
      if (id.equals(config.nodeId())) me = p.getPartyIndex();
    }
    if (me == null) return new Refused("peer_identity", "this node is not among the job's participants");
    int t;
    try {
      t = JobSpecs.threshold(spec, peers.size());
    } catch (InvalidSpecException e) {
      return new Refused("spec", e.getMessage());
    }
    boolean paillier = spec.getAggregation() == Aggregation.AGGREGATION_THRESHOLD_PAILLIER;
    if (paillier && keyShare == null) {
      return new Refused("he.key_share", "this node holds no share of a threshold Paillier key");
    }
    if (paillier && t < keyShare.publicKey().threshold()) {
      return new Refused("he.key_share", "job threshold " + t + " is below the key's decryption threshold "
          + keyShare.publicKey().threshold());
    }
    Dataset data;
    try {
      data = Cohort.apply(datasets.get(dataset.name()), spec.getCohortList());
    } catch (IllegalArgumentException e) {
      return new Refused("datasets." + dataset.name(), e.getMessage());
    }
    Dataset cohortData = data;
    Policy.Decision d = policy.decide(spec, computation.columns(), computation.releasesPerSite(), () -> computation.cohortSize(cohortData), peers.size(), t, dataset, ledger);
    if (!d.accepted()) return new Refused(d.rule(), d.reason());

    // The budget is durable before anything computed from the data leaves this node: the job's
    // epsilon and, for DP jobs, the noisy cohort test's.
    double reserved = JobSpecs.isExact(spec) ? 0 : spec.getPrivacy().getEpsilon() + CohortTest.EPSILON;
    if (JobSpecs.isExact(spec)) ledger.recordExact(dataset.name(), jobId);
    else ledger.reserve(dataset.name(), jobId, reserved);
    if (!JobSpecs.isExact(spec)) {
      if (!new CohortTest(jobRandomness("cohort test")).contributes(computation.cohortSize(cohortData), config.policy().minCohortSize())) {
        // Below the minimum (by the noisy test): take part with no rows, so only noise leaves this node.
        // Kept out of the audit log on purpose: an administrator reading it must not learn the answer either.
        log.info("job {}: the noisy cohort test found the cohort below {} rows; contributing noise only", jobId,
            config.policy().minCohortSize());
        data = data.empty();
      }
    }
    AcceptedJob job = new AcceptedJob(spec, peers, indexOf, me, t, computation.contributor(data, me, t, new SkellamNoise(jobRandomness("noise"))));
    return new Admitted(job, computation, dataset.name(), reserved, identity.dataFingerprint(datasets.get(dataset.name()).digest()));
  }

  /**
   * The randomness of one of a job's DP draws (its noise, its cohort test): the node's secure
   * randomness, or (debug.noise_seed, tests only) a PRG that every job starts afresh, one stream per use,
   * so that two runs of a job draw alike whatever their timing.
   */
  private SecureRandom jobRandomness(String use) {
    if (config.noiseSeed() == null) return rng;
    try {
      SecureRandom seeded = SecureRandom.getInstance("SHA1PRNG");
      seeded.setSeed(config.noiseSeed());
      seeded.setSeed(use.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return seeded;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
