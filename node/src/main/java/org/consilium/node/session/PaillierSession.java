package org.consilium.node.session;

import com.google.protobuf.ByteString;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.consilium.he.threshold.KeyShare;
import org.consilium.he.threshold.PartialDecryption;
import org.consilium.he.wire.EncryptedVectorProto;
import org.consilium.he.codec.HeWire;
import org.consilium.mpc.ring.RingVector;
import org.consilium.node.identity.NodeIdentity;

/**
 * A job aggregated under threshold Paillier. The node encrypts its (noised) vector under the
 * consortium key and signs it. Asked to decrypt, it checks that the request holds at least t
 * signed contributions of distinct participants, its own unchanged among them, recomputes their
 * sum itself, and partially decrypts only that sum: the coordinator cannot get a single node's
 * contribution decrypted.
 */
final class PaillierSession implements JobSession {
  private final String jobId;
  private final NodeIdentity identity;
  private final KeyShare keyShare;
  private final Map<String, X509Certificate> peers;
  private final int threshold;
  private final RingVector input;
  private final SecureRandom rng;
  private final PaillierPublicKey key;
  private final SlotPacking packing;
  private byte[] mine;
  private boolean decrypted;

  PaillierSession(String jobId, NodeIdentity identity, KeyShare keyShare, Map<String, X509Certificate> peers, int threshold,
      RingVector input, SecureRandom rng) {
    this.jobId = jobId;
    this.identity = identity;
    this.keyShare = keyShare;
    this.peers = Map.copyOf(peers);
    this.threshold = threshold;
    this.input = input;
    this.rng = rng;
    this.key = keyShare.publicKey().encryptionKey();
    this.packing = HeAggregation.packing(key, peers.size());
  }

  @Override
  public List<Frame> start() {
    EncryptedVectorProto v = HeWire.encrypt(key, packing, HeAggregation.VALUE_BITS, peers.size(), input.toArray(), key.randomness(rng));
    mine = v.toByteArray();
    byte[] sig = identity.sign(HeAggregation.signedBytes(jobId, identity.nodeId(), mine));
    return List.of(FrameCodec.frame(MessageType.HE_CONTRIBUTION, jobId, 0,
        HeContribution.newBuilder().setEncryptedVector(ByteString.copyFrom(mine)).setSignature(ByteString.copyFrom(sig)).build()));
  }

  @Override
  public List<Frame> onFrame(Frame f) {
    if (f.getType() != MessageType.HE_DECRYPT) throw new IllegalArgumentException("a threshold-Paillier job does not take " + f.getType() + " frames");
    if (decrypted) throw new IllegalArgumentException("this node already decrypted job " + jobId + "'s aggregate");
    HeDecryptRequest req = FrameCodec.payload(f, HeDecryptRequest.parser());
    Set<String> seen = new HashSet<>();
    boolean ownIncluded = false;
    List<List<Ciphertext>> vectors = new ArrayList<>();
    int count = packing.plaintexts(input.length());
    for (HeSignedContribution c : req.getContributionsList()) {
      X509Certificate cert = peers.get(c.getNodeId());
      if (cert == null) throw new IllegalArgumentException("contribution from '" + c.getNodeId() + "', not a participant");
      if (!seen.add(c.getNodeId())) throw new IllegalArgumentException("two contributions from '" + c.getNodeId() + "'");
      byte[] vec = c.getEncryptedVector().toByteArray();
      if (!NodeIdentity.verify(cert, HeAggregation.signedBytes(jobId, c.getNodeId(), vec), c.getSignature().toByteArray())) {
        throw new IllegalArgumentException("the signature on '" + c.getNodeId() + "'s contribution does not verify");
      }
      if (c.getNodeId().equals(identity.nodeId())) {
        if (!Arrays.equals(vec, mine)) throw new IllegalArgumentException("this node's own contribution was altered");
        ownIncluded = true;
      }
      EncryptedVectorProto p = HeWire.parse(EncryptedVectorProto.parser(), vec, "encrypted vector of " + c.getNodeId());
      vectors.add(HeWire.ciphertexts(key, p, input.length(), count));
    }
    if (!ownIncluded) throw new IllegalArgumentException("this node's contribution is not in the aggregate");
    if (seen.size() < threshold) {
      throw new IllegalArgumentException("only " + seen.size() + " contributions in the aggregate, threshold is " + threshold);
    }
    List<PartialDecryption> partials = new ArrayList<>();
    for (Ciphertext c : HeAggregation.sum(key, vectors)) partials.add(keyShare.decrypt(c, rng));
    decrypted = true;
    return List.of(FrameCodec.frame(MessageType.HE_PARTIALS, jobId, 1, HeWire.toWire(partials)));
  }

  @Override
  public boolean dataSent() {
    return mine != null;
  }
}
