package org.consilium.he.aggregation;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.consilium.he.codec.HeWire;
import org.consilium.he.encoding.SlotPacking;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.paillier.PaillierPublicKey;
import org.consilium.he.wire.EncryptedVectorProto;

/**
 * What parties and server agree on without saying it: each vector element is a 64-bit ring
 * value packed with headroom for every participant (so the decrypted sum equals the masking
 * backend's ring sum exactly), what a contribution's signature covers, and how vectors add.
 */
final class Layout {
  static final int VALUE_BITS = 64;

  final AggregationSession session;
  final PaillierPublicKey key;
  final SlotPacking packing;

  Layout(AggregationSession session, PaillierPublicKey key) {
    this.session = session;
    this.key = key;
    this.packing = new SlotPacking(key, VALUE_BITS, session.participants().size());
  }

  /** What a party signs for its contribution: job, step, party, and the digest of the ciphertexts. */
  byte[] signedBytes(String party, ByteString encryptedVector) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(encryptedVector.toByteArray());
      byte[] job = session.jobId().getBytes(StandardCharsets.UTF_8);
      byte[] who = party.getBytes(StandardCharsets.UTF_8);
      byte[] label = "consilium/he-contribution/v2".getBytes(StandardCharsets.US_ASCII);
      return ByteBuffer.allocate(label.length + 12 + job.length + who.length + digest.length).put(label)
          .putInt(job.length).put(job).putInt(session.step()).putInt(who.length).put(who).put(digest).array();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Checks a contribution's sender and signature and decodes its ciphertexts; throws naming what is wrong. */
  List<Ciphertext> open(Contribution c, SignatureCheck signatures) {
    if (!session.participants().contains(c.party())) throw new IllegalArgumentException("contribution from '" + c.party() + "', not a participant");
    if (!signatures.verify(c.party(), signedBytes(c.party(), c.encryptedVector()), c.signature().toByteArray())) {
      throw new IllegalArgumentException("the signature on '" + c.party() + "'s contribution does not verify for job "
          + session.jobId() + " step " + session.step());
    }
    EncryptedVectorProto p = HeWire.parse(EncryptedVectorProto.parser(), c.encryptedVector().toByteArray(), "encrypted vector of " + c.party());
    return HeWire.ciphertexts(key, p, session.length(), packing.plaintexts(session.length()));
  }

  /** The element-wise homomorphic sum of several encrypted vectors. */
  List<Ciphertext> sum(List<List<Ciphertext>> vectors) {
    List<Ciphertext> acc = new ArrayList<>(vectors.get(0));
    for (List<Ciphertext> v : vectors.subList(1, vectors.size())) {
      for (int i = 0; i < acc.size(); i++) acc.set(i, key.add(acc.get(i), v.get(i)));
    }
    return acc;
  }
}
