package org.consilium.deploy;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CRLHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The consortium's certificate authority: ECDSA P-256 keys, X.509 v3 certificates built with
 * Bouncy Castle, signed with SHA256withECDSA by the JDK's provider. A participant certificate
 * carries its id as CN and its role ("node" or "coordinator") as OU, which is what the
 * coordinator checks before it lets a connection act as a node. It also certifies keys that
 * sites generated themselves ({@link SigningRequest}) and signs the revocation list.
 */
public final class ConsortiumPki {
  private final String consortium;
  private final KeyPair caKeys;
  private final X509Certificate caCert;
  private final SecureRandom rng;

  private ConsortiumPki(String consortium, KeyPair caKeys, X509Certificate caCert, SecureRandom rng) {
    this.consortium = consortium;
    this.caKeys = caKeys;
    this.caCert = caCert;
    this.rng = rng;
  }

  /** A new CA, valid for the given period. */
  public static ConsortiumPki create(String consortium, Duration validity, SecureRandom rng) {
    KeyPair keys = newKeyPair(rng);
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, consortium)
        .addRDN(BCStyle.CN, consortium + " consortium CA").build();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      Instant now = Instant.now();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(rng), Date.from(now.minusSeconds(300)),
          Date.from(now.plus(validity)), name, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new ConsortiumPki(consortium, keys, sign(b, keys), rng);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot create the consortium CA", e);
    }
  }

  /** The CA of an existing consortium, for issuing certificates to members that join later. */
  public static ConsortiumPki load(String consortium, KeyPair caKeys, X509Certificate caCert, SecureRandom rng) {
    return new ConsortiumPki(consortium, caKeys, caCert, rng);
  }

  public X509Certificate caCertificate() {
    return caCert;
  }

  /** A participant's key pair and certificate. */
  public record Issued(KeyPair keys, X509Certificate certificate) {}

  /** Issues a key pair and a certificate for a participant, usable as TLS client and server. */
  public Issued issue(String id, String role, List<String> hostNames, Duration validity) {
    KeyPair keys = newKeyPair(rng);
    return new Issued(keys, certify(id, role, hostNames, keys.getPublic(), validity));
  }

  /**
   * A certificate for a key the participant generated itself (from a {@link SigningRequest}).
   * The subject is the CA's to set: consortium, role and id, whatever the request asked for.
   */
  public X509Certificate certify(String id, String role, List<String> hostNames, PublicKey key, Duration validity) {
    SigningRequest.requireId(id);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, consortium).addRDN(BCStyle.OU, role)
        .addRDN(BCStyle.CN, id).build();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      List<GeneralName> sans = new ArrayList<>();
      for (String h : hostNames) {
        sans.add(isIpLiteral(h) ? new GeneralName(GeneralName.iPAddress, h) : new GeneralName(GeneralName.dNSName, h));
      }
      Instant now = Instant.now();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(rng), Date.from(now.minusSeconds(300)),
          Date.from(now.plus(validity)), subject, key)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
      if (!sans.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      return sign(b, caKeys);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + id, e);
    }
  }

  /** A certificate to revoke, when, and why (an RFC 5280 reason code, e.g. {@link CRLReason#keyCompromise}). */
  public record Revocation(BigInteger serial, Instant at, int reason) {}

  /**
   * A revocation list numbered number: every entry of previous (if any) and the new ones,
   * valid until nextUpdate. The CA signs it; participants adopt only a higher number.
   */
  public X509CRL revocationList(X509CRL previous, List<Revocation> added, BigInteger number, Duration nextUpdate) {
    try {
      Instant now = Instant.now();
      X509v2CRLBuilder b = new X509v2CRLBuilder(new JcaX509CertificateHolder(caCert).getSubject(), Date.from(now));
      b.setNextUpdate(Date.from(now.plus(nextUpdate)));
      if (previous != null) b.addCRL(new JcaX509CRLHolder(previous));
      for (Revocation r : added) b.addCRLEntry(r.serial(), Date.from(r.at()), r.reason());
      b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
      b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(caCert));
      return new JcaX509CRLConverter().getCRL(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot sign the revocation list", e);
    }
  }

  /** PEM text of a certificate, a revocation list, a certificate request or a private key (PKCS#8). */
  public static String pem(Object certificateOrKey) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(certificateOrKey instanceof java.security.PrivateKey k
          ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null).generate() : certificateOrKey);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  public KeyPair caKeys() {
    return caKeys;
  }

  private static boolean isIpLiteral(String h) {
    return h.matches("[0-9.]+") || h.contains(":");
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  static KeyPair newKeyPair(SecureRandom rng) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), rng);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial(SecureRandom rng) {
    return new BigInteger(127, rng).add(BigInteger.ONE);
  }

}
