package org.consilium.mpc.secagg;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.consilium.mpc.crypto.Aead;
import org.consilium.mpc.crypto.AgreementKeyPair;
import org.consilium.mpc.prg.MaskPrg;
import org.consilium.mpc.prg.MaskSeed;
import org.consilium.mpc.ring.RingVector;
import org.consilium.mpc.secagg.Messages.AdvertiseKeys;
import org.consilium.mpc.secagg.Messages.EncryptedShare;
import org.consilium.mpc.secagg.Messages.MaskedInput;
import org.consilium.mpc.secagg.Messages.Roster;
import org.consilium.mpc.secagg.Messages.ShareKeys;
import org.consilium.mpc.secagg.Messages.SharesForParty;
import org.consilium.mpc.secagg.Messages.UnmaskRequest;
import org.consilium.mpc.secagg.Messages.UnmaskShares;
import org.consilium.mpc.sharing.SecretBytes;
import org.consilium.mpc.sharing.Shamir;
import org.consilium.mpc.sharing.ShamirShare;

/**
 * One party's side of secure aggregation with double masking (Bonawitz et al., CCS 2017,
 * semi-honest server). Messages in, messages out; each method may be called once, in order.
 *
 * <p>The party masks its input with a self mask PRG(b) and, for every other party v that shared
 * keys, a pairwise mask ±PRG(s_uv) from X25519 agreement. It Shamir-shares b and its mask key
 * t-of-n among the others (sealed end to end, so the relaying server cannot read them). In the
 * unmasking round it reveals, per party, either the share of b (party survived) or the share
 * of the mask key (party dropped), never both: a party that is merely late keeps its input
 * hidden because its self mask is never reconstructed.
 *
 * <p>With SecAgg+ ({@link SessionParams#withNeighbours}) all of this happens with the party's
 * neighbours only: it checks their signatures, agrees masks with them and shares its secrets
 * among them and itself, so its cost grows with its k neighbours, not with n.
 */
public final class SecAggParty {
  private final SessionParams params;
  private final int self;
  private final RingVector input;
  private final PeerAuthenticator auth;
  private final SecureRandom rng;
  private final SecretBytes keySharing;
  private final AgreementKeyPair cipherKeys;
  private final AgreementKeyPair maskKeys;
  private final MaskSeed selfMaskSeed;
  /** The parties this one masks with and shares among (everyone else, unless SecAgg+). */
  private final SortedSet<Integer> neighbours;
  private Round round = Round.ADVERTISE_KEYS;
  private Map<Integer, AdvertiseKeys> roster;
  private SortedSet<Integer> sharers;
  private final Map<Integer, ShamirShare> heldKeyShares = new HashMap<>();
  private final Map<Integer, ShamirShare> heldSeedShares = new HashMap<>();
  /** Each peer's share-encryption key, agreed once and used both ways (the derivation is symmetric in the pair). */
  private final Map<Integer, byte[]> shareKeys = new HashMap<>();

  public SecAggParty(SessionParams params, int self, RingVector input, PeerAuthenticator auth, SecureRandom rng) {
    if (!params.parties().contains(self)) throw new IllegalArgumentException("party " + self + " is not in the session");
    if (input.length() != params.vectorLength()) {
      throw new IllegalArgumentException("input has length " + input.length() + ", session expects " + params.vectorLength());
    }
    this.params = params;
    this.self = self;
    this.input = input;
    this.auth = auth;
    this.rng = rng;
    this.keySharing = new SecretBytes(new Shamir(params.shareThreshold(), params.maxParty()), MaskSeed.LENGTH);
    this.neighbours = params.neighbourhood().of(self);
    this.cipherKeys = AgreementKeyPair.generate(rng);
    this.maskKeys = AgreementKeyPair.generate(rng);
    this.selfMaskSeed = MaskSeed.random(rng);
  }

  public int party() {
    return self;
  }

  public Round round() {
    return round;
  }

  /** Round 0: fresh keys for this session, signed. */
  public AdvertiseKeys advertise() {
    expect(Round.ADVERTISE_KEYS);
    byte[] signed = Derivation.advertisedBytes(params.sessionId(), self, cipherKeys.publicKey(), maskKeys.publicKey());
    round = Round.SHARE_KEYS;
    return new AdvertiseKeys(self, cipherKeys.publicKey(), maskKeys.publicKey(), auth.sign(signed));
  }

  /** Round 1: checks the roster and seals shares of both secrets for every other member. */
  public ShareKeys onRoster(Roster msg) {
    expect(Round.SHARE_KEYS);
    Map<Integer, AdvertiseKeys> byParty = new HashMap<>();
    Set<Object> keysSeen = new HashSet<>();
    for (AdvertiseKeys a : msg.advertisements()) {
      if (!params.parties().contains(a.party())) fail("roster names party " + a.party() + ", not in the session");
      if (byParty.put(a.party(), a) != null) fail("roster lists party " + a.party() + " twice");
      if (!keysSeen.add(a.cipherKey()) || !keysSeen.add(a.maskKey())) fail("roster reuses a public key (party " + a.party() + ")");
      if (a.party() != self && !neighbours.contains(a.party())) continue; // its keys are never used here
      byte[] signed = Derivation.advertisedBytes(params.sessionId(), a.party(), a.cipherKey(), a.maskKey());
      if (!auth.verify(a.party(), signed, a.signature())) fail("signature of party " + a.party() + " does not verify");
    }
    AdvertiseKeys mine = byParty.get(self);
    if (mine == null || !mine.cipherKey().equals(cipherKeys.publicKey()) || !mine.maskKey().equals(maskKeys.publicKey())) {
      fail("roster does not carry this party's own keys");
    }
    roster = byParty;
    SortedSet<Integer> holders = new TreeSet<>(neighbours);
    holders.retainAll(byParty.keySet());
    holders.add(self);
    // With everyone as neighbours this is "at least t parties advertised keys"; with SecAgg+ the
    // party sees its neighbourhood only, and the server's quorum is checked again at U2.
    if (holders.size() < params.shareThreshold()) {
      fail("only " + holders.size() + " parties of this one's neighbourhood advertised keys, " + params.shareThreshold()
          + " must hold its secrets");
    }
    List<ShamirShare> keyShares = maskKeys.sharePrivateKey(keySharing, holders, rng);
    List<ShamirShare> seedShares = keySharing.split(selfMaskSeed.bytes(), holders, rng);
    List<EncryptedShare> out = new ArrayList<>();
    int i = 0;
    for (int v : holders) {
      ShamirShare k = keyShares.get(i);
      ShamirShare b = seedShares.get(i++);
      if (v == self) {
        heldKeyShares.put(self, k);
        heldSeedShares.put(self, b);
        continue;
      }
      Aead box = new Aead(shareKey(v));
      byte[] sealed = box.seal(Derivation.encodeBundle(self, v, k, b), Derivation.associatedData(params.sessionId(), self, v), rng);
      out.add(new EncryptedShare(self, v, sealed));
    }
    round = Round.MASKED_INPUT;
    return new ShareKeys(self, out);
  }

  private byte[] shareKey(int peer) {
    return shareKeys.computeIfAbsent(peer, v -> Derivation.shareEncryptionKey(cipherKeys, self, roster.get(v).cipherKey(), v, params.sessionId()));
  }

  /** Round 2: opens the bundles addressed here, then sends the doubly masked input. */
  public MaskedInput onShares(SharesForParty msg) {
    expect(Round.MASKED_INPUT);
    if (msg.to() != self) fail("shares addressed to party " + msg.to() + " delivered to party " + self);
    if (!msg.senders().contains(self)) fail("server's U2 does not include this party");
    for (int v : msg.senders()) {
      // The roster this party saw is its neighbourhood of U1: a neighbour in U2 must be in it.
      if ((v == self || neighbours.contains(v)) && !roster.containsKey(v)) {
        fail("U2 " + msg.senders() + " names party " + v + ", which is not in U1 " + new TreeSet<>(roster.keySet()));
      }
    }
    if (msg.senders().size() < params.threshold()) {
      fail("only " + msg.senders().size() + " parties shared keys, threshold is " + params.threshold());
    }
    Set<Integer> opened = new HashSet<>();
    for (EncryptedShare e : msg.shares()) {
      int from = e.from();
      if (e.to() != self) fail("bundle from party " + from + " is addressed to party " + e.to());
      if (!msg.senders().contains(from) || !neighbours.contains(from)) fail("bundle from party " + from + " who is not a neighbour in U2");
      if (!opened.add(from)) fail("two bundles from party " + from);
      Aead box = new Aead(shareKey(from));
      byte[] plain;
      try {
        plain = box.open(e.ciphertext(), Derivation.associatedData(params.sessionId(), from, self));
      } catch (Aead.AeadException ex) {
        throw new SecAggException(round, "bundle from party " + from + ": " + ex.getMessage());
      }
      List<ShamirShare> pair = Derivation.decodeBundle(plain, from, self, keySharing.elementsPerShare(), round);
      heldKeyShares.put(from, pair.get(0));
      heldSeedShares.put(from, pair.get(1));
    }
    for (int v : msg.senders()) {
      if (neighbours.contains(v) && !opened.contains(v)) fail("no bundle from party " + v + " although it is a neighbour in U2");
    }
    sharers = msg.senders();
    long[] y = input.toArray();
    MaskPrg.accumulate(selfMaskSeed, y, 1);
    for (int v : sharers) {
      if (!neighbours.contains(v)) continue;
      MaskSeed s = Derivation.pairwiseSeed(maskKeys, self, roster.get(v).maskKey(), v, params.sessionId());
      MaskPrg.accumulate(s, y, Derivation.sign(self, v));
    }
    round = Round.UNMASKING;
    return new MaskedInput(self, RingVector.adopt(y));
  }

  /** Round 3: reveals exactly one kind of share per neighbour in U2 (and its own seed's). */
  public UnmaskShares onUnmaskRequest(UnmaskRequest msg) {
    expect(Round.UNMASKING);
    Set<Integer> union = new TreeSet<>(msg.survivors());
    union.addAll(msg.dropped());
    if (union.size() != msg.survivors().size() + msg.dropped().size()) {
      fail("a party is listed as both survivor and dropped");
    }
    if (!union.equals(sharers)) fail("survivors and dropped " + union + " do not partition U2 " + sharers);
    if (!msg.survivors().contains(self)) fail("this party is listed as dropped");
    if (msg.survivors().size() < params.threshold()) {
      fail("only " + msg.survivors().size() + " survivors, threshold is " + params.threshold());
    }
    Map<Integer, ShamirShare> seeds = new HashMap<>();
    Map<Integer, ShamirShare> keys = new HashMap<>();
    for (int v : msg.survivors()) if (heldSeedShares.containsKey(v)) seeds.put(v, heldSeedShares.get(v));
    for (int v : msg.dropped()) if (heldKeyShares.containsKey(v)) keys.put(v, heldKeyShares.get(v));
    round = Round.DONE;
    return new UnmaskShares(self, seeds, keys);
  }

  private void expect(Round r) {
    if (round != r) throw new SecAggException(round, "party " + self + " cannot take a message of round " + r.label() + " now");
  }

  private void fail(String why) {
    throw new SecAggException(round, why);
  }
}
