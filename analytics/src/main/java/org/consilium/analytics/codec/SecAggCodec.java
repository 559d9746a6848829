package org.consilium.analytics.codec;

import org.consilium.analytics.wire.AdvertiseKeys;
import org.consilium.analytics.wire.EncryptedShare;
import org.consilium.analytics.wire.MaskedInput;
import org.consilium.analytics.wire.PartyShare;
import org.consilium.analytics.wire.Roster;
import org.consilium.analytics.wire.ShareKeys;
import org.consilium.analytics.wire.SharesForParty;
import org.consilium.analytics.wire.UnmaskRequest;
import org.consilium.analytics.wire.UnmaskShares;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.consilium.mpc.crypto.AgreementPublicKey;
import org.consilium.mpc.ring.RingVector;
import org.consilium.mpc.secagg.Messages;
import org.consilium.mpc.sharing.ShamirShare;

/**
 * Converts secure-aggregation messages between the pure {@code mpc} records and their protobuf
 * form. Decoding validates what the records can check (key lengths, field elements); the state
 * machines check the rest (sets, rounds, vector lengths).
 */
public final class SecAggCodec {
  private SecAggCodec() {}

  public static AdvertiseKeys toWire(Messages.AdvertiseKeys m) {
    return AdvertiseKeys.newBuilder().setParty(m.party()).setCipherKey(ByteString.copyFrom(m.cipherKey().bytes()))
        .setMaskKey(ByteString.copyFrom(m.maskKey().bytes())).setSignature(ByteString.copyFrom(m.signature())).build();
  }

  public static Messages.AdvertiseKeys fromWire(AdvertiseKeys m) {
    return new Messages.AdvertiseKeys(m.getParty(), new AgreementPublicKey(m.getCipherKey().toByteArray()),
        new AgreementPublicKey(m.getMaskKey().toByteArray()), m.getSignature().toByteArray());
  }

  public static Roster toWire(Messages.Roster m) {
    Roster.Builder b = Roster.newBuilder();
    m.advertisements().forEach(a -> b.addAdvertisements(toWire(a)));
    return b.build();
  }

  public static Messages.Roster fromWire(Roster m) {
    return new Messages.Roster(m.getAdvertisementsList().stream().map(SecAggCodec::fromWire).toList());
  }

  private static EncryptedShare toWire(Messages.EncryptedShare e) {
    return EncryptedShare.newBuilder().setFrom(e.from()).setTo(e.to()).setCiphertext(ByteString.copyFrom(e.ciphertext())).build();
  }

  private static Messages.EncryptedShare fromWire(EncryptedShare e) {
    return new Messages.EncryptedShare(e.getFrom(), e.getTo(), e.getCiphertext().toByteArray());
  }

  public static ShareKeys toWire(Messages.ShareKeys m) {
    ShareKeys.Builder b = ShareKeys.newBuilder().setParty(m.party());
    m.shares().forEach(e -> b.addShares(toWire(e)));
    return b.build();
  }

  public static Messages.ShareKeys fromWire(ShareKeys m) {
    return new Messages.ShareKeys(m.getParty(), m.getSharesList().stream().map(SecAggCodec::fromWire).toList());
  }

  public static SharesForParty toWire(Messages.SharesForParty m) {
    SharesForParty.Builder b = SharesForParty.newBuilder().setTo(m.to()).addAllSenders(m.senders());
    m.shares().forEach(e -> b.addShares(toWire(e)));
    return b.build();
  }

  public static Messages.SharesForParty fromWire(SharesForParty m) {
    return new Messages.SharesForParty(m.getTo(), new TreeSet<>(m.getSendersList()),
        m.getSharesList().stream().map(SecAggCodec::fromWire).toList());
  }

  /** The masked vector as raw little-endian words: one bulk copy each way instead of a protobuf call per value. */
  public static MaskedInput toWire(Messages.MaskedInput m) {
    byte[] words = new byte[m.masked().length() * Long.BYTES];
    m.masked().copyTo(ByteBuffer.wrap(words).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer());
    return MaskedInput.newBuilder().setParty(m.party()).setMasked(UnsafeByteOperations.unsafeWrap(words)).build();
  }

  public static Messages.MaskedInput fromWire(MaskedInput m) {
    ByteString words = m.getMasked();
    if (words.size() % Long.BYTES != 0) {
      throw new IllegalArgumentException("masked input of party " + m.getParty() + " has " + words.size()
          + " bytes, not a whole number of 64-bit values");
    }
    long[] v = new long[words.size() / Long.BYTES];
    words.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
    return new Messages.MaskedInput(m.getParty(), RingVector.adopt(v));
  }

  public static UnmaskRequest toWire(Messages.UnmaskRequest m) {
    return UnmaskRequest.newBuilder().addAllSurvivors(m.survivors()).addAllDropped(m.dropped()).build();
  }

  public static Messages.UnmaskRequest fromWire(UnmaskRequest m) {
    return new Messages.UnmaskRequest(new TreeSet<>(m.getSurvivorsList()), new TreeSet<>(m.getDroppedList()));
  }

  public static UnmaskShares toWire(Messages.UnmaskShares m) {
    UnmaskShares.Builder b = UnmaskShares.newBuilder().setParty(m.party());
    new java.util.TreeMap<>(m.selfMaskSeedShares()).forEach((owner, s) -> b.addSelfMaskSeedShares(share(owner, s)));
    new java.util.TreeMap<>(m.maskKeyShares()).forEach((owner, s) -> b.addMaskKeyShares(share(owner, s)));
    return b.build();
  }

  public static Messages.UnmaskShares fromWire(UnmaskShares m) {
    return new Messages.UnmaskShares(m.getParty(), shares(m.getSelfMaskSeedSharesList()), shares(m.getMaskKeySharesList()));
  }

  private static PartyShare share(int owner, ShamirShare s) {
    PartyShare.Builder b = PartyShare.newBuilder().setOwner(owner).setX(s.x());
    for (long v : s.values()) b.addValues(v);
    return b.build();
  }

  private static Map<Integer, ShamirShare> shares(java.util.List<PartyShare> list) {
    Map<Integer, ShamirShare> out = new HashMap<>();
    for (PartyShare p : list) {
      long[] v = new long[p.getValuesCount()];
      for (int i = 0; i < v.length; i++) v[i] = p.getValues(i);
      if (out.put(p.getOwner(), new ShamirShare(p.getX(), v)) != null) {
        throw new IllegalArgumentException("two shares for owner " + p.getOwner());
      }
    }
    return out;
  }
}
