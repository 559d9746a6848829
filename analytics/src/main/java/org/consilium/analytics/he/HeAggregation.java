package org.consilium.analytics.he;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.consilium.he.encoding.SlotPacking;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.paillier.PaillierPublicKey;

/**
 * The agreed layout of threshold-Paillier aggregation, shared by nodes and coordinator: each
 * vector element is a 64-bit ring value packed with headroom for every participant, so the
 * decrypted sum equals the masking backend's ring sum exactly.
 */
public final class HeAggregation {
  public static final int VALUE_BITS = 64;

  private HeAggregation() {}

  public static SlotPacking packing(PaillierPublicKey key, int participants) {
    return new SlotPacking(key, VALUE_BITS, participants);
  }

  /** What a node signs for its contribution: the job, itself, and the digest of the ciphertexts. */
  public static byte[] signedBytes(String jobId, String nodeId, byte[] encryptedVector) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(encryptedVector);
      byte[] job = jobId.getBytes(StandardCharsets.UTF_8);
      byte[] node = nodeId.getBytes(StandardCharsets.UTF_8);
      byte[] label = "consilium/he-contribution".getBytes(StandardCharsets.US_ASCII);
      return ByteBuffer.allocate(label.length + 8 + job.length + node.length + digest.length).put(label)
          .putInt(job.length).put(job).putInt(node.length).put(node).put(digest).array();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The element-wise homomorphic sum of several encrypted vectors. */
  public static List<Ciphertext> sum(PaillierPublicKey key, List<List<Ciphertext>> vectors) {
    List<Ciphertext> acc = new ArrayList<>(vectors.get(0));
    for (List<Ciphertext> v : vectors.subList(1, vectors.size())) {
      for (int i = 0; i < acc.size(); i++) acc.set(i, key.add(acc.get(i), v.get(i)));
    }
    return acc;
  }
}
