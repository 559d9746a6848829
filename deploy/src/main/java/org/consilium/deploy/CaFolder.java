package org.consilium.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.consilium.analytics.durable.AtomicFile;
import org.consilium.analytics.identity.Participants;
import org.consilium.analytics.identity.Pem;
import org.consilium.analytics.identity.RevocationList;

/**
 * The consortium CA's folder ({@code out/ca}): its certificate and key, a copy of every
 * certificate it issued ({@code issued/ID-SERIAL.crt}, so an id's certificates can be revoked
 * by id), and its current revocation list ({@code crl.pem}), which is also the record of what
 * is revoked: each new list carries the previous one's entries and a higher number.
 */
final class CaFolder {
  /** How long a revocation list is current; participants warn after it (an administrator re-signs with any revoke). */
  static final Duration CRL_VALIDITY = Duration.ofDays(365);
  private final Path dir;
  private final ConsortiumPki pki;

  private CaFolder(Path dir, ConsortiumPki pki) {
    this.dir = dir;
    this.pki = pki;
  }

  /** A new CA in dir (which must not hold one), with an empty revocation list number 1. */
  static CaFolder create(Path dir, String consortium, SecureRandom rng) throws IOException {
    Files.createDirectories(dir);
    ConsortiumPki pki = ConsortiumPki.create(consortium, Duration.ofDays(3650), rng);
    Files.writeString(dir.resolve("ca.crt"), ConsortiumPki.pem(pki.caCertificate()), StandardCharsets.UTF_8);
    AtomicFile.writeOwnerOnly(dir.resolve("ca.key"), ConsortiumPki.pem(pki.caKeys().getPrivate()).getBytes(StandardCharsets.UTF_8));
    CaFolder ca = new CaFolder(dir, pki);
    ca.writeList(pki.revocationList(null, List.of(), BigInteger.ONE, CRL_VALIDITY));
    return ca;
  }

  /** The CA provisioned in dir. */
  static CaFolder open(Path dir, SecureRandom rng) {
    Path cert = dir.resolve("ca.crt");
    Path key = dir.resolve("ca.key");
    if (!Files.exists(cert) || !Files.exists(key)) {
      throw new IllegalArgumentException(dir + " holds no consortium CA (ca.crt and ca.key): give the folder that provisioning created");
    }
    X509Certificate ca = Pem.certificate(cert);
    String consortium = Participants.consortium(ca);
    return new CaFolder(dir, ConsortiumPki.load(consortium, new KeyPair(ca.getPublicKey(), Pem.privateKey(key)), ca, rng));
  }

  ConsortiumPki pki() {
    return pki;
  }

  X509Certificate caCertificate() {
    return pki.caCertificate();
  }

  Path revocationListFile() {
    return dir.resolve("crl.pem");
  }

  /** Keeps a copy of a certificate this CA issued. */
  void record(X509Certificate issued) throws IOException {
    Path folder = dir.resolve("issued");
    Files.createDirectories(folder);
    Files.writeString(folder.resolve(Participants.id(issued) + "-" + issued.getSerialNumber().toString(16) + ".crt"),
        ConsortiumPki.pem(issued), StandardCharsets.UTF_8);
  }

  /** The certificates this CA issued to id that are not revoked yet. */
  List<X509Certificate> unrevoked(String id) throws IOException {
    Path folder = dir.resolve("issued");
    if (!Files.isDirectory(folder)) return List.of();
    X509CRL crl = revocationList();
    List<X509Certificate> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path f : files.sorted().toList()) {
        X509Certificate c = Pem.certificate(f);
        if (id.equals(Participants.id(c)) && crl.getRevokedCertificate(c) == null) out.add(c);
      }
    }
    return out;
  }

  X509CRL revocationList() {
    try (var in = Files.newInputStream(revocationListFile())) {
      return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + revocationListFile(), e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException(revocationListFile() + ": not a revocation list: " + e.getMessage());
    }
  }

  /** Revokes these certificates: writes and returns the next revocation list (PEM). */
  String revoke(List<X509Certificate> certificates, int reason) throws IOException {
    X509CRL previous = revocationList();
    BigInteger number;
    try {
      number = RevocationList.parse(previous.getEncoded(), caCertificate()).number().add(BigInteger.ONE);
    } catch (java.security.cert.CRLException e) {
      throw new IllegalStateException(e);
    }
    List<ConsortiumPki.Revocation> added = certificates.stream()
        .map(c -> new ConsortiumPki.Revocation(c.getSerialNumber(), Instant.now(), reason)).toList();
    return writeList(pki.revocationList(previous, added, number, CRL_VALIDITY));
  }

  private String writeList(X509CRL crl) throws IOException {
    String pem = ConsortiumPki.pem(crl);
    AtomicFile.write(revocationListFile(), pem.getBytes(StandardCharsets.UTF_8));
    return pem;
  }
}
