package org.consilium.mpc.secagg;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.consilium.mpc.crypto.AgreementKeyPair;
import org.consilium.mpc.crypto.AgreementPublicKey;
import org.consilium.mpc.crypto.Hkdf;
import org.consilium.mpc.prg.MaskSeed;
import org.consilium.mpc.sharing.ShamirShare;

/** Key derivations and byte layouts shared by the party and server state machines. */
final class Derivation {
  private Derivation() {}

  /** Context for a pair, ordered so both ends derive the same key. */
  private static byte[] pair(int u, int v) {
    return ByteBuffer.allocate(8).putInt(Math.min(u, v)).putInt(Math.max(u, v)).array();
  }

  static MaskSeed pairwiseSeed(AgreementKeyPair mine, int me, AgreementPublicKey theirs, int them, byte[] session) {
    return MaskSeed.of(Hkdf.derive(mine.agree(theirs), session, "consilium/secagg/pairwise-mask", pair(me, them), 32));
  }

  static byte[] shareEncryptionKey(AgreementKeyPair mine, int me, AgreementPublicKey theirs, int them, byte[] session) {
    return Hkdf.derive(mine.agree(theirs), session, "consilium/secagg/share-encryption", pair(me, them), 32);
  }

  /** +1 if u's mask with v is added, -1 if subtracted: the lower index adds. */
  static int sign(int u, int v) {
    return u < v ? 1 : -1;
  }

  static byte[] advertisedBytes(byte[] session, int party, AgreementPublicKey c, AgreementPublicKey s) {
    return ByteBuffer.allocate(16 + session.length + 4 + 64)
        .put("consilium/secagg/advertise".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 16)
        .put(session).putInt(party).put(c.bytes()).put(s.bytes()).array();
  }

  static byte[] associatedData(byte[] session, int from, int to) {
    return ByteBuffer.allocate(session.length + 8).put(session).putInt(from).putInt(to).array();
  }

  /** The plaintext of a sealed bundle: from, to, share of mask key, share of self-mask seed. */
  static byte[] encodeBundle(int from, int to, ShamirShare keyShare, ShamirShare seedShare) {
    long[] k = keyShare.values();
    long[] b = seedShare.values();
    ByteBuffer buf = ByteBuffer.allocate(16 + 8 * (k.length + b.length));
    buf.putInt(from).putInt(to).putInt(k.length).putInt(b.length);
    for (long x : k) buf.putLong(x);
    for (long x : b) buf.putLong(x);
    return buf.array();
  }

  /** Decodes a bundle, checking it was meant for (from, to) and has the expected sizes. */
  static List<ShamirShare> decodeBundle(byte[] plain, int from, int to, int elements, Round round) {
    ByteBuffer buf = ByteBuffer.wrap(plain);
    if (plain.length != 16 + 16 * elements) {
      throw new SecAggException(round, "share bundle from party " + from + " has " + plain.length + " bytes, expected "
          + (16 + 16 * elements));
    }
    int f = buf.getInt();
    int t = buf.getInt();
    if (f != from || t != to) {
      throw new SecAggException(round, "share bundle claims route " + f + "->" + t + " but came " + from + "->" + to);
    }
    if (buf.getInt() != elements || buf.getInt() != elements) {
      throw new SecAggException(round, "share bundle from party " + from + " has the wrong share length");
    }
    List<ShamirShare> out = new ArrayList<>(2);
    for (int part = 0; part < 2; part++) {
      long[] v = new long[elements];
      for (int i = 0; i < elements; i++) v[i] = buf.getLong();
      try {
        out.add(new ShamirShare(to, v));
      } catch (IllegalArgumentException e) {
        throw new SecAggException(round, "share bundle from party " + from + ": " + e.getMessage());
      }
    }
    return out;
  }
}
