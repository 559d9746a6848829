package org.consilium.mpc.secagg;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.consilium.mpc.crypto.AgreementKeyPair;
import org.consilium.mpc.prg.MaskPrg;
import org.consilium.mpc.prg.MaskSeed;
import org.consilium.mpc.ring.RingVector;
import org.consilium.mpc.secagg.Messages.AdvertiseKeys;
import org.consilium.mpc.secagg.Messages.AggregateResult;
import org.consilium.mpc.secagg.Messages.EncryptedShare;
import org.consilium.mpc.secagg.Messages.MaskedInput;
import org.consilium.mpc.secagg.Messages.Roster;
import org.consilium.mpc.secagg.Messages.ShareKeys;
import org.consilium.mpc.secagg.Messages.SharesForParty;
import org.consilium.mpc.secagg.Messages.UnmaskRequest;
import org.consilium.mpc.secagg.Messages.UnmaskShares;
import org.consilium.mpc.sharing.InconsistentSharesException;
import org.consilium.mpc.sharing.SecretBytes;
import org.consilium.mpc.sharing.Shamir;
import org.consilium.mpc.sharing.ShamirShare;

/**
 * The server's side of secure aggregation: it collects each round's messages, and when the
 * caller closes a round (everyone answered, or a deadline passed) it produces the next
 * round's messages. Parties that did not answer in time are dropped from then on. Any round
 * closed with fewer than t parties fails with a {@link SecAggException} naming the round, and
 * the result is only ever the sum over at least t inputs.
 *
 * <p>The server never sees an input in the clear: it only learns the masked vectors and, at
 * the end, the sum of the survivors' inputs.
 */
public final class SecAggServer {
  private final SessionParams params;
  private final SecretBytes keySharing;
  private Round round = Round.ADVERTISE_KEYS;
  private final Map<Integer, AdvertiseKeys> advertised = new TreeMap<>();
  private final Map<Integer, ShareKeys> shareKeys = new TreeMap<>();
  private final Map<Integer, MaskedInput> masked = new TreeMap<>();
  private final Map<Integer, UnmaskShares> unmask = new TreeMap<>();
  private SortedSet<Integer> u1;
  private SortedSet<Integer> u2;
  private UnmaskRequest request;
  private final SignatureCheck signatures;
  private final Neighbourhood neighbourhood;

  /**
   * signatures checks each advertisement against its sender's identity: the relay refuses a
   * badly signed one (the sender is left out, like a party that dropped) instead of passing it
   * on to make every honest party abort the roster.
   */
  public SecAggServer(SessionParams params, SignatureCheck signatures) {
    this.params = params;
    this.signatures = signatures;
    this.keySharing = new SecretBytes(new Shamir(params.shareThreshold(), params.maxParty()), MaskSeed.LENGTH);
    this.neighbourhood = params.neighbourhood();
  }

  public Round round() {
    return round;
  }

  public SessionParams params() {
    return params;
  }

  /** The parties expected to answer in the current round, minus those that already have. */
  public SortedSet<Integer> pending() {
    SortedSet<Integer> expected = switch (round) {
      case ADVERTISE_KEYS -> new TreeSet<>(params.parties());
      case SHARE_KEYS -> new TreeSet<>(u1);
      case MASKED_INPUT -> new TreeSet<>(u2);
      case UNMASKING -> new TreeSet<>(request.survivors());
      case DONE -> new TreeSet<>();
    };
    expected.removeAll(switch (round) {
      case ADVERTISE_KEYS -> advertised.keySet();
      case SHARE_KEYS -> shareKeys.keySet();
      case MASKED_INPUT -> masked.keySet();
      case UNMASKING -> unmask.keySet();
      case DONE -> List.of();
    });
    return Collections.unmodifiableSortedSet(expected);
  }

  public void receive(AdvertiseKeys m) {
    byte[] signed = Derivation.advertisedBytes(params.sessionId(), m.party(), m.cipherKey(), m.maskKey());
    if (!signatures.verify(m.party(), signed, m.signature())) {
      throw new SecAggException(Round.ADVERTISE_KEYS, "party " + m.party() + "'s advertised keys do not carry its valid signature; it is left out of this aggregation");
    }
    accept(Round.ADVERTISE_KEYS, m.party(), params.parties(), advertised, m);
  }

  public Roster closeAdvertiseKeys() {
    expect(Round.ADVERTISE_KEYS);
    requireQuorum(advertised.size());
    u1 = Collections.unmodifiableSortedSet(new TreeSet<>(advertised.keySet()));
    round = Round.SHARE_KEYS;
    return new Roster(new ArrayList<>(advertised.values()));
  }

  /**
   * What one party is sent of the roster: its own and its neighbours' advertisements (everyone's
   * with the complete graph), so a party of SecAgg+ receives O(k) keys, not O(n).
   */
  public Roster rosterFor(int party) {
    if (round == Round.ADVERTISE_KEYS) throw new SecAggException(round, "the roster is known once round " + Round.ADVERTISE_KEYS.label() + " is closed");
    SortedSet<Integer> closed = neighbourhood.closed(party);
    return new Roster(advertised.values().stream().filter(a -> closed.contains(a.party())).toList());
  }

  public void receive(ShareKeys m) {
    expect(Round.SHARE_KEYS);
    TreeSet<Integer> targets = new TreeSet<>();
    for (EncryptedShare e : m.shares()) {
      if (e.from() != m.party()) reject("bundle inside party " + m.party() + "'s message claims sender " + e.from());
      if (!u1.contains(e.to()) || !neighbourhood.adjacent(m.party(), e.to())) {
        reject("party " + m.party() + " sent a bundle to " + e.to() + ", not a neighbour in U1");
      }
      if (!targets.add(e.to())) reject("party " + m.party() + " sent two bundles to party " + e.to());
    }
    TreeSet<Integer> others = new TreeSet<>(u1);
    others.retainAll(neighbourhood.of(m.party()));
    if (!targets.equals(others)) reject("party " + m.party() + " sent bundles to " + targets + ", expected " + others);
    accept(Round.SHARE_KEYS, m.party(), u1, shareKeys, m);
  }

  /** Routes the sealed bundles: one message per member of U2. */
  public Map<Integer, SharesForParty> closeShareKeys() {
    expect(Round.SHARE_KEYS);
    requireQuorum(shareKeys.size());
    u2 = Collections.unmodifiableSortedSet(new TreeSet<>(shareKeys.keySet()));
    Map<Integer, List<EncryptedShare>> inbox = new TreeMap<>();
    for (int v : u2) inbox.put(v, new ArrayList<>());
    for (ShareKeys sk : shareKeys.values()) {
      for (EncryptedShare e : sk.shares()) {
        List<EncryptedShare> box = inbox.get(e.to());
        if (box != null) box.add(e);
      }
    }
    Map<Integer, SharesForParty> out = new LinkedHashMap<>();
    inbox.forEach((v, list) -> out.put(v, new SharesForParty(v, u2, list)));
    round = Round.MASKED_INPUT;
    return out;
  }

  public void receive(MaskedInput m) {
    expect(Round.MASKED_INPUT);
    if (m.masked().length() != params.vectorLength()) {
      reject("masked input of party " + m.party() + " has length " + m.masked().length() + ", expected " + params.vectorLength());
    }
    accept(Round.MASKED_INPUT, m.party(), u2, masked, m);
  }

  public UnmaskRequest closeMaskedInput() {
    expect(Round.MASKED_INPUT);
    requireQuorum(masked.size());
    SortedSet<Integer> dropped = new TreeSet<>(u2);
    dropped.removeAll(masked.keySet());
    request = new UnmaskRequest(new TreeSet<>(masked.keySet()), dropped);
    round = Round.UNMASKING;
    return request;
  }

  public void receive(UnmaskShares m) {
    expect(Round.UNMASKING);
    SortedSet<Integer> seedsHeld = new TreeSet<>(neighbourhood.closed(m.party()));
    seedsHeld.retainAll(request.survivors());
    SortedSet<Integer> keysHeld = new TreeSet<>(neighbourhood.of(m.party()));
    keysHeld.retainAll(request.dropped());
    if (!m.selfMaskSeedShares().keySet().equals(seedsHeld)) {
      reject("party " + m.party() + " sent self-mask shares for " + new TreeSet<>(m.selfMaskSeedShares().keySet())
          + ", expected " + seedsHeld);
    }
    if (!m.maskKeyShares().keySet().equals(keysHeld)) {
      reject("party " + m.party() + " sent mask-key shares for " + new TreeSet<>(m.maskKeyShares().keySet())
          + ", expected " + keysHeld);
    }
    for (ShamirShare s : m.selfMaskSeedShares().values()) checkShare(m.party(), s);
    for (ShamirShare s : m.maskKeyShares().values()) checkShare(m.party(), s);
    accept(Round.UNMASKING, m.party(), request.survivors(), unmask, m);
  }

  /** Reconstructs the masks and returns the sum of the survivors' inputs. */
  public AggregateResult closeUnmasking() {
    expect(Round.UNMASKING);
    requireQuorum(unmask.size());
    long[] sum = new long[params.vectorLength()];
    for (MaskedInput m : masked.values()) {
      for (int i = 0; i < sum.length; i++) sum[i] += m.masked().get(i);
    }
    for (int u : request.survivors()) {
      MaskSeed b = MaskSeed.of(reconstruct(u, "self-mask seed", s -> s.selfMaskSeedShares().get(u)));
      MaskPrg.accumulate(b, sum, -1);
    }
    for (int d : request.dropped()) {
      AgreementKeyPair dKeys = AgreementKeyPair.fromPrivateKey(
          reconstruct(d, "mask key", s -> s.maskKeyShares().get(d)));
      if (!dKeys.publicKey().equals(advertised.get(d).maskKey())) {
        reject("reconstructed mask key of dropped party " + d + " does not match its advertised key");
      }
      for (int v : request.survivors()) {
        if (!neighbourhood.adjacent(d, v)) continue;
        MaskSeed s = Derivation.pairwiseSeed(dKeys, d, advertised.get(v).maskKey(), v, params.sessionId());
        // Survivor v added sign(v, d) * PRG(s_vd); remove it.
        MaskPrg.accumulate(s, sum, -Derivation.sign(v, d));
      }
    }
    round = Round.DONE;
    return new AggregateResult(RingVector.adopt(sum), request.survivors());
  }

  private byte[] reconstruct(int owner, String what, java.util.function.Function<UnmaskShares, ShamirShare> pick) {
    List<ShamirShare> shares = new ArrayList<>();
    for (UnmaskShares m : unmask.values()) {
      ShamirShare s = pick.apply(m);
      if (s != null) shares.add(s); // null: not one of the owner's share holders
    }
    if (shares.size() < params.shareThreshold()) {
      throw new SecAggException(round, "only " + shares.size() + " of the holders of party " + owner + "'s " + what
          + " answered, " + params.shareThreshold() + " are needed; nothing is released");
    }
    try {
      return keySharing.reconstruct(shares);
    } catch (InconsistentSharesException e) {
      throw new SecAggException(round, "shares of the " + what + " of party " + owner + " are inconsistent: " + e.getMessage());
    }
  }

  private void checkShare(int from, ShamirShare s) {
    if (s.x() != from) reject("party " + from + " sent a share with index " + s.x());
    if (s.values().length != keySharing.elementsPerShare()) {
      reject("party " + from + " sent a share with " + s.values().length + " values, expected " + keySharing.elementsPerShare());
    }
  }

  private <M> void accept(Round r, int party, java.util.Set<Integer> allowed, Map<Integer, M> into, M message) {
    expect(r);
    if (!allowed.contains(party)) reject("party " + party + " is not expected in this round");
    if (into.containsKey(party)) reject("duplicate message from party " + party);
    into.put(party, message);
  }

  private void requireQuorum(int got) {
    if (got < params.threshold()) {
      throw new SecAggException(round, "only " + got + " of " + params.parties().size()
          + " parties answered, threshold is " + params.threshold() + "; nothing is released");
    }
  }

  private void expect(Round r) {
    if (round != r) throw new SecAggException(round, "server cannot take a message of round " + r.label() + " now");
  }

  private void reject(String why) {
    throw new SecAggException(round, why);
  }
}
