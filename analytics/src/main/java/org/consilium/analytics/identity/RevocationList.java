package org.consilium.analytics.identity;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CRLReason;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * The consortium CA's certificate revocation list (X.509 v2 CRL), verified against the CA on
 * parsing: a list that the CA did not sign is refused, so whoever relays it (the coordinator
 * to the nodes) can withhold a newer list but never forge or shorten one. Lists are ordered by
 * their CRL number; a holder adopts only a higher one.
 */
public final class RevocationList {
  private static final String CRL_NUMBER = "2.5.29.20";
  private final X509CRL crl;
  private final BigInteger number;
  private final byte[] der;

  private RevocationList(X509CRL crl, BigInteger number, byte[] der) {
    this.crl = crl;
    this.number = number;
    this.der = der;
  }

  /** Parses and verifies a CRL (PEM or DER) issued by ca; throws naming what is wrong. */
  public static RevocationList parse(byte[] pemOrDer, X509Certificate ca) {
    X509CRL crl;
    try {
      crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(pemOrDer));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("not an X.509 revocation list: " + e.getMessage());
    }
    if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      throw new IllegalArgumentException("the revocation list is issued by '" + crl.getIssuerX500Principal()
          + "', not by the consortium CA '" + ca.getSubjectX500Principal() + "'");
    }
    try {
      crl.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the revocation list is not signed by the consortium CA: " + e.getMessage());
    }
    byte[] ext = crl.getExtensionValue(CRL_NUMBER);
    if (ext == null) throw new IllegalArgumentException("the revocation list has no CRL number");
    try {
      return new RevocationList(crl, derInteger(ext), crl.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /** The CRL number: a later list of the same CA has a higher one. */
  public BigInteger number() {
    return number;
  }

  public Instant issuedAt() {
    return crl.getThisUpdate().toInstant();
  }

  /** When the CA promised a newer list; after it this one is stale (still applied, and warned about). */
  public Optional<Instant> nextUpdate() {
    return Optional.ofNullable(crl.getNextUpdate()).map(java.util.Date::toInstant);
  }

  public int size() {
    return crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
  }

  public byte[] der() {
    return der.clone();
  }

  /** Why a certificate of this CA may no longer be used, or empty when it is not revoked. */
  public Optional<String> refusal(X509Certificate cert) {
    X509CRLEntry entry = crl.getRevokedCertificate(cert);
    if (entry == null) return Optional.empty();
    CRLReason reason = entry.getRevocationReason();
    return Optional.of("the certificate of '" + Participants.id(cert) + "' (serial " + cert.getSerialNumber().toString(16)
        + ") was revoked on " + entry.getRevocationDate().toInstant() + (reason == null ? "" : " (" + reason + ")"));
  }

  /** An OCTET STRING holding a DER INTEGER, as getExtensionValue returns it. */
  private static BigInteger derInteger(byte[] octets) {
    int[] at = {0};
    byte[] inner = element(octets, at, 0x04);
    at[0] = 0;
    byte[] value = element(inner, at, 0x02);
    return new BigInteger(value);
  }

  private static byte[] element(byte[] b, int[] at, int tag) {
    if (b.length < at[0] + 2 || (b[at[0]] & 0xff) != tag) throw new IllegalArgumentException("malformed CRL number");
    int len = b[at[0] + 1] & 0xff;
    int start = at[0] + 2;
    if (len > 0x80) {
      int n = len - 0x80;
      if (n > 3 || b.length < start + n) throw new IllegalArgumentException("malformed CRL number");
      len = 0;
      for (int i = 0; i < n; i++) len = (len << 8) | (b[start + i] & 0xff);
      start += n;
    }
    if (len == 0 || b.length < start + len) throw new IllegalArgumentException("malformed CRL number");
    at[0] = start + len;
    return Arrays.copyOfRange(b, start, start + len);
  }
}
