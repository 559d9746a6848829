package org.consilium.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A site's request to join (or to renew): a PKCS#10 request for a P-256 key the site generated
 * and keeps, its node id as the subject CN. Parsing checks the request's signature, so the
 * requester holds the private key; the CA decides everything else in the certificate.
 */
public record SigningRequest(String id, PublicKey publicKey) {
  private static final String ID_PATTERN = "[a-z0-9][a-z0-9-]{0,62}";

  /** A new key pair for the site and the PEM text of its request. The key never leaves the site. */
  public record Created(KeyPair keys, String pem) {}

  public static Created create(String id, SecureRandom rng) {
    requireId(id);
    KeyPair keys = ConsortiumPki.newKeyPair(rng);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.OU, "node").addRDN(BCStyle.CN, id).build();
    try {
      PKCS10CertificationRequest req = new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
      return new Created(keys, ConsortiumPki.pem(req));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign the certificate request", e);
    }
  }

  /** Reads a PEM request, checking its signature, key type and id; throws naming what is wrong. */
  public static SigningRequest parse(String pem, String source) {
    Object parsed;
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      parsed = p.readObject();
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not a PEM certificate request: " + e.getMessage());
    }
    if (!(parsed instanceof PKCS10CertificationRequest req)) {
      throw new IllegalArgumentException(source + ": not a PKCS#10 certificate request (BEGIN CERTIFICATE REQUEST)");
    }
    try {
      PublicKey key;
      try {
        key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(req.getSubjectPublicKeyInfo().getEncoded()));
      } catch (java.security.spec.InvalidKeySpecException e) {
        throw new IllegalArgumentException(source + ": the key must be ECDSA P-256, like every consortium key");
      }
      if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
        throw new IllegalArgumentException(source + ": the key must be ECDSA P-256, like every consortium key");
      }
      if (!req.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new IllegalArgumentException(source + ": the request's signature does not verify with its own key");
      }
      var cn = req.getSubject().getRDNs(BCStyle.CN);
      if (cn.length != 1) throw new IllegalArgumentException(source + ": the request must name exactly one node id as CN");
      String id = IETFUtils.valueToString(cn[0].getFirst().getValue());
      requireId(id);
      return new SigningRequest(id, key);
    } catch (OperatorCreationException | PKCSException | java.security.GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(source + ": the request cannot be checked: " + e.getMessage());
    }
  }

  static void requireId(String id) {
    if (!id.matches(ID_PATTERN)) {
      throw new IllegalArgumentException("participant id '" + id + "' must be lower-case letters, digits and dashes");
    }
  }
}
