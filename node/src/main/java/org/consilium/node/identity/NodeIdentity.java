package org.consilium.node.identity;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.consilium.analytics.identity.Participants;
import org.consilium.analytics.identity.Signatures;

/**
 * This node's long-term identity (its certificate and key from the startup kit) and the
 * consortium CA. Signs this node's protocol keys and checks other nodes' certificates, so the
 * relaying coordinator cannot substitute keys of its own.
 */
public final class NodeIdentity {
  private final String nodeId;
  private final PrivateKey key;
  private final X509Certificate certificate;
  private final X509Certificate ca;

  public NodeIdentity(String nodeId, PrivateKey key, X509Certificate certificate, X509Certificate ca) {
    this.nodeId = nodeId;
    this.key = key;
    this.certificate = certificate;
    this.ca = ca;
    String cn = verifiedNodeId(certificate);
    if (!cn.equals(nodeId)) throw new IllegalArgumentException("certificate is for '" + cn + "', configured node id is '" + nodeId + "'");
  }

  public String nodeId() {
    return nodeId;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public byte[] sign(byte[] message) {
    return Signatures.sign(key, message);
  }

  public static boolean verify(X509Certificate signer, byte[] message, byte[] signature) {
    return Signatures.verify(signer, message, signature);
  }

  /**
   * Checks that a certificate was issued by the consortium CA, is valid now, and belongs to a
   * node; returns the node id (CN). Throws naming what is wrong.
   */
  public String verifiedNodeId(X509Certificate cert) {
    try {
      cert.verify(ca.getPublicKey());
      cert.checkValidity(new Date());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("certificate '" + cert.getSubjectX500Principal() + "' is not valid under the consortium CA: "
          + e.getMessage());
    }
    if (!Participants.ROLE_NODE.equals(Participants.role(cert))) throw new IllegalArgumentException("certificate '" + cert.getSubjectX500Principal() + "' is not a node certificate");
    return Participants.id(cert);
  }
}
