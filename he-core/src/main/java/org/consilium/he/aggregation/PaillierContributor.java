package org.consilium.he.aggregation;

import com.google.protobuf.ByteString;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.consilium.he.codec.HeWire;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.threshold.KeyShare;
import org.consilium.he.threshold.PartialDecryption;

/**
 * A party's side of threshold-Paillier aggregation, messages in and out. It encrypts its vector
 * under the consortium key and signs it, once. Asked to decrypt, it checks that the request
 * holds at least t signed contributions of distinct participants of this session, its own
 * unchanged among them, adds them up itself and partially decrypts only that sum, once: the
 * server cannot get a single party's contribution, or a sum with a forged or replayed one,
 * decrypted.
 */
public final class PaillierContributor {
  private final Layout layout;
  private final String self;
  private final KeyShare share;
  private final Signer signer;
  private final SignatureCheck peers;
  private final SecureRandom rng;
  private Contribution mine;
  private boolean decrypted;

  public PaillierContributor(AggregationSession session, String self, KeyShare share, Signer signer, SignatureCheck peers,
      SecureRandom rng) {
    if (!session.participants().contains(self)) throw new IllegalArgumentException("'" + self + "' is not a participant of this session");
    this.layout = new Layout(session, share.publicKey().encryptionKey());
    this.self = self;
    this.share = share;
    this.signer = signer;
    this.peers = peers;
    this.rng = rng;
  }

  /** Encrypts and signs this party's vector. Only once per session. */
  public Contribution contribute(RingValues input) {
    if (mine != null) throw new IllegalStateException("'" + self + "' already contributed to this session");
    AggregationSession s = layout.session;
    if (input.length() != s.length()) throw new IllegalArgumentException("input has length " + input.length() + ", the session " + s.length());
    ByteString vector = HeWire.encrypt(layout.key, layout.packing, Layout.VALUE_BITS, s.participants().size(), input.unsafeValues(),
        layout.key.randomness(rng)).toByteString();
    mine = new Contribution(self, vector, ByteString.copyFrom(signer.sign(layout.signedBytes(self, vector))));
    return mine;
  }

  public boolean contributed() {
    return mine != null;
  }

  /** Partially decrypts the sum of the requested contributions, after checking them all; throws naming what is wrong. */
  public Partials decrypt(DecryptRequest request) {
    return decrypt(request, () -> false);
  }

  /**
   * The same, checking between ciphertexts whether the job ended meanwhile: then it stops and
   * throws {@link java.util.concurrent.CancellationException} (nothing is released; a long
   * decryption does not outlive its job).
   */
  public Partials decrypt(DecryptRequest request, java.util.function.BooleanSupplier cancelled) {
    if (mine == null) throw new IllegalStateException("'" + self + "' has not contributed to this session");
    if (decrypted) throw new IllegalArgumentException("'" + self + "' already decrypted this session's aggregate");
    Set<String> seen = new HashSet<>();
    boolean ownIncluded = false;
    List<List<Ciphertext>> vectors = new ArrayList<>();
    for (Contribution c : request.contributions()) {
      if (!seen.add(c.party())) throw new IllegalArgumentException("two contributions from '" + c.party() + "'");
      if (c.party().equals(self)) {
        if (!c.encryptedVector().equals(mine.encryptedVector())) throw new IllegalArgumentException("this node's own contribution was altered");
        ownIncluded = true;
      }
      vectors.add(layout.open(c, peers));
    }
    if (!ownIncluded) throw new IllegalArgumentException("this node's contribution is not in the aggregate");
    int t = layout.session.threshold();
    if (seen.size() < t) throw new IllegalArgumentException("only " + seen.size() + " contributions in the aggregate, threshold is " + t);
    PartialDecryption partials = share.decrypt(layout.sum(vectors), rng, cancelled);
    decrypted = true;
    return new Partials(self, partials);
  }
}
