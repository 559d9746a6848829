package org.consilium.node.identity;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.consilium.analytics.identity.Digests;
import org.consilium.analytics.identity.Participants;
import org.consilium.analytics.identity.Revocations;
import org.consilium.analytics.identity.Signatures;

/**
 * This node's long-term identity (its certificate and key from the startup kit) and the
 * consortium CA with its revocation list. Signs this node's protocol keys and checks other
 * nodes' certificates, so the relaying coordinator can neither substitute keys of its own nor
 * bring in a revoked participant.
 */
public final class NodeIdentity {
  private final String nodeId;
  private final PrivateKey key;
  private final X509Certificate certificate;
  private final X509Certificate ca;
  private final Revocations revocations;
  private final javax.crypto.spec.SecretKeySpec fingerprintKey;

  public NodeIdentity(String nodeId, PrivateKey key, X509Certificate certificate, X509Certificate ca, Revocations revocations) {
    this.nodeId = nodeId;
    this.key = key;
    this.certificate = certificate;
    this.ca = ca;
    this.revocations = revocations;
    this.fingerprintKey = new javax.crypto.spec.SecretKeySpec(java.util.HexFormat.of().parseHex(Digests.sha256Hex(
        concat("consilium/data-fingerprint/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII), key.getEncoded()))), "HmacSHA256");
    String cn = verifiedNodeId(certificate);
    if (!cn.equals(nodeId)) throw new IllegalArgumentException("certificate is for '" + cn + "', configured node id is '" + nodeId + "'");
  }

  /** The identity of a node's startup kit: its key, certificate, the CA and the revocation list its configuration names. */
  public static NodeIdentity fromKit(org.consilium.node.config.NodeConfig config) {
    X509Certificate ca = org.consilium.analytics.identity.Pem.certificate(config.ca());
    return new NodeIdentity(config.nodeId(), org.consilium.analytics.identity.Pem.privateKey(config.privateKey()),
        org.consilium.analytics.identity.Pem.certificate(config.certificate()), ca, Revocations.at(config.revocationList(), ca));
  }

  public String nodeId() {
    return nodeId;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * A dataset's fingerprint as this node shows it (in a model's lineage): HMAC-SHA256 of the
   * dataset's digest under a key derived from this node's private key. Equal data gives equal
   * fingerprints from job to job, but without the key nobody can test a guess of the data (say,
   * every row but one patient's) against it, as a plain hash would allow.
   */
  public String dataFingerprint(String datasetDigest) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(fingerprintKey);
      return java.util.HexFormat.of().formatHex(mac.doFinal(datasetDigest.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The revocation list this node applies (a newer one arrives from the coordinator). */
  public Revocations revocations() {
    return revocations;
  }

  public byte[] sign(byte[] message) {
    return Signatures.sign(key, message);
  }

  public static boolean verify(X509Certificate signer, byte[] message, byte[] signature) {
    return Signatures.verify(signer, message, signature);
  }

  /**
   * Checks that a certificate was issued by the consortium CA, is valid now, is not revoked,
   * and belongs to a node; returns the node id (CN). Throws naming what is wrong.
   */
  public String verifiedNodeId(X509Certificate cert) {
    try {
      cert.verify(ca.getPublicKey());
      cert.checkValidity(new Date());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("certificate '" + cert.getSubjectX500Principal() + "' is not valid under the consortium CA: "
          + e.getMessage());
    }
    revocations.refusal(cert).ifPresent(r -> {
      throw new IllegalArgumentException(r);
    });
    if (!Participants.ROLE_NODE.equals(Participants.role(cert))) throw new IllegalArgumentException("certificate '" + cert.getSubjectX500Principal() + "' is not a node certificate");
    return Participants.id(cert);
  }
}
