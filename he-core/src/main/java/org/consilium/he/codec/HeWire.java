package org.consilium.he.codec;

import org.consilium.he.aggregation.Contribution;
import org.consilium.he.aggregation.DecryptRequest;
import org.consilium.he.wire.DecryptRequestProto;
import org.consilium.he.wire.EncryptedVectorProto;
import org.consilium.he.wire.SignedContributionProto;
import org.consilium.he.wire.KeyShareProto;
import org.consilium.he.wire.Paillier;
import org.consilium.he.wire.PartialDecryptionsProto;
import org.consilium.he.wire.ThresholdKeyProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.consilium.he.encoding.SlotPacking;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.paillier.PaillierPublicKey;
import org.consilium.he.threshold.KeyShare;
import org.consilium.he.threshold.PartialDecryption;
import org.consilium.he.threshold.ThresholdPublicKey;

/**
 * Protobuf forms of the threshold Paillier objects, with validation on the way in: lengths are
 * bounded by the key size before any big integer is built, counts are checked against what the
 * caller expects, and ciphertexts must be in Z*_{n^2}.
 */
public final class HeWire {
  /** Larger than any signature of the identity keys in use (ECDSA P-521 DER is at most 139 bytes). */
  private static final int MAX_SIGNATURE_BYTES = 512;

  private HeWire() {}

  private static ByteString bytes(BigInteger v) {
    byte[] b = v.toByteArray();
    return b.length > 1 && b[0] == 0 ? ByteString.copyFrom(b, 1, b.length - 1) : ByteString.copyFrom(b);
  }

  private static BigInteger integer(ByteString b, int maxBytes, String what) {
    if (b.isEmpty()) throw new IllegalArgumentException(what + " is empty");
    if (b.size() > maxBytes) throw new IllegalArgumentException(what + " has " + b.size() + " bytes, at most " + maxBytes + " allowed");
    return new BigInteger(1, b.toByteArray());
  }

  public static ThresholdKeyProto toWire(ThresholdPublicKey k) {
    ThresholdKeyProto.Builder b = ThresholdKeyProto.newBuilder().setModulus(bytes(k.encryptionKey().modulus()))
        .setThreshold(k.threshold()).setParties(k.parties()).setVerificationBase(bytes(k.verificationBase()));
    for (int i = 1; i <= k.parties(); i++) b.addVerificationKeys(bytes(k.verificationKeys().get(i)));
    return b.build();
  }

  public static ThresholdPublicKey fromWire(ThresholdKeyProto p) {
    if (p.getModulus().size() > 1024) throw new IllegalArgumentException("modulus larger than 8192 bits");
    if (p.getParties() < 1 || p.getParties() > 1000) throw new IllegalArgumentException("parties must be in 1..1000, got " + p.getParties());
    if (p.getVerificationKeysCount() != p.getParties()) {
      throw new IllegalArgumentException("expected " + p.getParties() + " verification keys, got " + p.getVerificationKeysCount());
    }
    PaillierPublicKey key = new PaillierPublicKey(integer(p.getModulus(), 1024, "modulus"));
    int max = 2 * p.getModulus().size() + 1;
    Map<Integer, BigInteger> vks = new TreeMap<>();
    for (int i = 0; i < p.getParties(); i++) vks.put(i + 1, integer(p.getVerificationKeys(i), max, "verification key " + (i + 1)));
    return new ThresholdPublicKey(key, p.getThreshold(), p.getParties(), integer(p.getVerificationBase(), max, "verification base"), vks);
  }

  public static KeyShareProto toWire(KeyShare s) {
    return KeyShareProto.newBuilder().setPublicKey(toWire(s.publicKey())).setParty(s.party()).setShare(bytes(shareOf(s))).build();
  }

  public static KeyShare fromWire(KeyShareProto p) {
    ThresholdPublicKey pub = fromWire(p.getPublicKey());
    return new KeyShare(pub, p.getParty(), integer(p.getShare(), 2 * p.getPublicKey().getModulus().size() + 1, "key share"));
  }

  private static BigInteger shareOf(KeyShare s) {
    return s.exportSecret();
  }

  /** Packs, encrypts and serialises a vector. */
  public static EncryptedVectorProto encrypt(PaillierPublicKey key, SlotPacking packing, int valueBits, int maxContributors,
      long[] values, org.consilium.he.paillier.RandomnessPool pool) {
    EncryptedVectorProto.Builder b = EncryptedVectorProto.newBuilder().setKeyFingerprint(key.fingerprint()).setLength(values.length)
        .setValueBits(valueBits).setMaxContributors(maxContributors);
    for (BigInteger pt : packing.pack(values)) b.addCiphertexts(bytes(key.encrypt(pt, pool).value()));
    return b.build();
  }

  /** Decodes an encrypted vector, checking it is for this key and layout and that every ciphertext is valid. */
  public static List<Ciphertext> ciphertexts(PaillierPublicKey key, EncryptedVectorProto p, int expectedLength, int expectedCount) {
    if (!p.getKeyFingerprint().equals(key.fingerprint())) {
      throw new IllegalArgumentException("encrypted vector is under key " + p.getKeyFingerprint() + ", expected " + key.fingerprint());
    }
    if (p.getLength() != expectedLength) throw new IllegalArgumentException("encrypted vector has length " + p.getLength() + ", expected " + expectedLength);
    if (p.getCiphertextsCount() != expectedCount) {
      throw new IllegalArgumentException("encrypted vector has " + p.getCiphertextsCount() + " ciphertexts, expected " + expectedCount);
    }
    int max = 2 * ((key.bits() + 7) / 8) + 1;
    List<Ciphertext> out = new ArrayList<>();
    for (int i = 0; i < p.getCiphertextsCount(); i++) out.add(key.ciphertext(integer(p.getCiphertexts(i), max, "ciphertext " + i)));
    return out;
  }

  public static PartialDecryptionsProto toWire(PartialDecryption d) {
    PartialDecryptionsProto.Builder b = PartialDecryptionsProto.newBuilder().setParty(d.party())
        .setChallenge(bytes(d.challenge())).setResponse(bytes(d.response()));
    for (BigInteger v : d.values()) b.addValues(bytes(v));
    return b.build();
  }

  public static PartialDecryption fromWire(PaillierPublicKey key, PartialDecryptionsProto p, int expectedCount) {
    if (p.getValuesCount() != expectedCount) {
      throw new IllegalArgumentException("expected " + expectedCount + " partial decryptions, got " + p.getValuesCount());
    }
    int n2 = 2 * ((key.bits() + 7) / 8) + 1;
    List<BigInteger> values = new ArrayList<>();
    for (int i = 0; i < p.getValuesCount(); i++) values.add(integer(p.getValues(i), n2, "partial decryption " + i));
    return new PartialDecryption(p.getParty(), values, integer(p.getChallenge(), 33, "proof challenge"),
        integer(p.getResponse(), n2 + 128, "proof response"));
  }

  public static SignedContributionProto toWire(Contribution c) {
    return SignedContributionProto.newBuilder().setParty(c.party()).setEncryptedVector(c.encryptedVector()).setSignature(c.signature()).build();
  }

  public static Contribution fromWire(SignedContributionProto p) {
    if (p.getParty().isBlank()) throw new IllegalArgumentException("contribution names no party");
    if (p.getSignature().size() > MAX_SIGNATURE_BYTES) throw new IllegalArgumentException("contribution signature of " + p.getSignature().size() + " bytes");
    return new Contribution(p.getParty(), p.getEncryptedVector(), p.getSignature());
  }

  public static DecryptRequestProto toWire(DecryptRequest r) {
    DecryptRequestProto.Builder b = DecryptRequestProto.newBuilder();
    r.contributions().forEach(c -> b.addContributions(toWire(c)));
    return b.build();
  }

  public static DecryptRequest fromWire(DecryptRequestProto p) {
    return new DecryptRequest(p.getContributionsList().stream().map(HeWire::fromWire).toList());
  }

  public static <T> T parse(com.google.protobuf.Parser<T> parser, byte[] bytes, String what) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed " + what + ": " + e.getMessage());
    }
  }
}
