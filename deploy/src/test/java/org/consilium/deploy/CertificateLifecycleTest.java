package org.consilium.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CRLReason;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.identity.Participants;
import org.consilium.analytics.identity.Pem;
import org.consilium.analytics.identity.RevocationList;
import org.consilium.analytics.identity.Revocations;
import org.consilium.coordinator.config.CoordinatorConfig;
import org.consilium.coordinator.gateway.Members;
import org.consilium.coordinator.gateway.Trust;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.identity.NodeIdentity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site's certificate after provisioning: it generates its key and a request, the
 * administrator signs it (admitting it, or renewing a member), and revokes. Each step changes
 * the CA's records and the coordinator kit only; what a node applies is checked against the CA.
 */
class CertificateLifecycleTest {
  private static final String DICTIONARY = "version: 1\ndatasets:\n  heart:\n    columns:\n      age: {type: numeric, unit: years, lower: 0, upper: 120}\n";
  @TempDir
  Path dir;
  private Provisioner.Consortium consortium;
  private Path out;

  @BeforeEach
  void provisionTwoSites() throws Exception {
    Path csv = dir.resolve("site.csv");
    Files.writeString(csv, "age\n50\n");
    out = dir.resolve("out");
    consortium = Provisioner.provision(new Provisioner.Plan("test", out, "127.0.0.1", 7443, 8443, 5701,
        List.of(new Provisioner.NodePlan("alpha", Map.of("heart", csv), Map.of()), new Provisioner.NodePlan("beta", Map.of("heart", csv), Map.of())),
        Map.of(), 0, DICTIONARY));
  }

  private Members members() {
    return Members.load(out.resolve("coordinator/members.yaml"));
  }

  private X509Certificate ca() {
    return Pem.certificate(consortium.caCertificate());
  }

  private RevocationList coordinatorsList() throws Exception {
    return RevocationList.parse(Files.readAllBytes(out.resolve("coordinator/crl.pem")), ca());
  }

  @Test
  void aNewSiteJoinsByRequestWithoutAnyOtherKitChanging() throws Exception {
    Map<Path, byte[]> before = snapshot(out.resolve("nodes"));
    SigningRequest.Created created = SigningRequest.create("gamma", new SecureRandom());
    Enrolment.Signed signed = Enrolment.of(out).sign(SigningRequest.parse(created.pem(), "gamma.csr"), false, Enrolment.VALIDITY);

    X509Certificate cert = signed.certificate();
    cert.verify(ca().getPublicKey());
    assertEquals("gamma", Participants.id(cert));
    assertEquals("node", Participants.role(cert), "the CA sets the role");
    assertEquals(created.keys().getPublic(), cert.getPublicKey(), "the site's own key is certified; the CA never saw its private key");
    assertTrue(members().refusal("gamma", cert).isEmpty(), "gamma is a member with this certificate");
    assertTrue(members().refusal("alpha", Pem.certificate(out.resolve("nodes/alpha/node.crt"))).isEmpty(), "alpha still is");

    Path site = signed.siteFolder();
    Files.writeString(site.resolve("node.key"), ConsortiumPki.pem(created.keys().getPrivate()));
    Files.writeString(site.resolve("node.yaml"), Files.readString(site.resolve("node.yaml"))
        + "datasets:\n  heart:\n    path: '" + dir.resolve("site.csv") + "'\n");
    NodeConfig config = NodeConfig.load(site.resolve("node.yaml"), Map.of());
    assertEquals(7443, config.coordinatorPort(), "the new site dials the coordinator of the kit");
    assertEquals("gamma", NodeIdentity.fromKit(config).nodeId(), "the returned files make a working node identity");
    assertEquals(DICTIONARY, Files.readString(site.resolve("dictionary.yaml")));
    assertEquals(before.keySet(), snapshot(out.resolve("nodes")).keySet());
    snapshot(out.resolve("nodes")).forEach((f, bytes) -> assertArrayEquals(before.get(f), bytes, f + " is unchanged"));

    IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
        () -> Enrolment.of(out).sign(SigningRequest.parse(SigningRequest.create("gamma", new SecureRandom()).pem(), "x"), false, Enrolment.VALIDITY));
    assertTrue(again.getMessage().contains("already a member") && again.getMessage().contains("--renew"), again.getMessage());
  }

  @Test
  void aRequestMustBeSignedByItsOwnKeyAndNameOneValidId() {
    String pem = SigningRequest.create("gamma", new SecureRandom()).pem();
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(body);
    der[der.length - 5] ^= 1; // inside the signature
    String tampered = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END CERTIFICATE REQUEST-----\n";
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> SigningRequest.parse(tampered, "tampered.csr"));
    assertTrue(bad.getMessage().startsWith("tampered.csr: "), bad.getMessage());
    IllegalArgumentException notCsr = assertThrows(IllegalArgumentException.class,
        () -> SigningRequest.parse(ConsortiumPki.pem(ca()), "ca.crt"));
    assertTrue(notCsr.getMessage().contains("not a PKCS#10 certificate request"), notCsr.getMessage());
    IllegalArgumentException badId = assertThrows(IllegalArgumentException.class, () -> SigningRequest.create("Gamma Hospital", new SecureRandom()));
    assertTrue(badId.getMessage().contains("lower-case letters, digits and dashes"), badId.getMessage());
  }

  @Test
  void renewingReplacesThePinAndRevokesTheSupersededCertificate() throws Exception {
    X509Certificate old = Pem.certificate(out.resolve("nodes/alpha/node.crt"));
    BigInteger numberBefore = coordinatorsList().number();
    SigningRequest request = SigningRequest.parse(SigningRequest.create("alpha", new SecureRandom()).pem(), "alpha.csr");
    Enrolment.Signed renewed = Enrolment.of(out).sign(request, true, Enrolment.VALIDITY);

    assertEquals(List.of(old.getSerialNumber()), renewed.superseded());
    assertTrue(members().refusal("alpha", renewed.certificate()).isEmpty(), "the new certificate is pinned");
    assertTrue(members().refusal("alpha", old).isPresent(), "the old one no longer connects");
    RevocationList list = coordinatorsList();
    assertEquals(numberBefore.add(BigInteger.ONE), list.number(), "a renewal publishes the next list");
    assertTrue(list.refusal(old).orElseThrow().contains("SUPERSEDED"), list.refusal(old).toString());
    assertTrue(list.refusal(renewed.certificate()).isEmpty());

    IllegalArgumentException notMember = assertThrows(IllegalArgumentException.class, () -> Enrolment.of(out)
        .sign(SigningRequest.parse(SigningRequest.create("delta", new SecureRandom()).pem(), "delta.csr"), true, Enrolment.VALIDITY));
    assertTrue(notMember.getMessage().contains("not a member"), notMember.getMessage());
  }

  @Test
  void aRevokedNodeIsRefusedByTheCoordinatorsChecksAndByItsPeers() throws Exception {
    X509Certificate beta = Pem.certificate(out.resolve("nodes/beta/node.crt"));
    NodeIdentity alpha = NodeIdentity.fromKit(NodeConfig.load(consortium.nodeConfigs().get("alpha"), Map.of()));
    assertEquals("beta", alpha.verifiedNodeId(beta), "before: a valid peer");

    Enrolment.Revoked revoked = Enrolment.of(out).revoke("beta", CRLReason.KEY_COMPROMISE);
    assertEquals(List.of(beta.getSerialNumber()), revoked.serials());
    assertTrue(revoked.wasMember());
    assertFalse(members().isMember("beta"), "beta's membership ended");
    String why = coordinatorsList().refusal(beta).orElseThrow();
    assertTrue(why.contains("'beta'") && why.contains("KEY_COMPROMISE"), why);

    // The coordinator relays the list; alpha applies it, and then refuses beta as a peer.
    assertTrue(alpha.revocations().adopt(Files.readAllBytes(out.resolve("coordinator/crl.pem")), "the coordinator"));
    IllegalArgumentException peer = assertThrows(IllegalArgumentException.class, () -> alpha.verifiedNodeId(beta));
    assertTrue(peer.getMessage().contains("was revoked"), peer.getMessage());
    assertTrue(Files.readString(out.resolve("nodes/alpha/crl.pem"), StandardCharsets.ISO_8859_1).length() > 0);
    assertEquals(coordinatorsList().number(), RevocationList.parse(Files.readAllBytes(out.resolve("nodes/alpha/crl.pem")), ca()).number(),
        "the adopted list is kept in alpha's kit (it survives a restart)");

    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Enrolment.of(out).revoke("nobody", CRLReason.KEY_COMPROMISE));
    assertTrue(unknown.getMessage().contains("'nobody'"), unknown.getMessage());
  }

  @Test
  void onlyANewerListSignedByTheConsortiumCaIsAdopted() throws Exception {
    byte[] first = Files.readAllBytes(out.resolve("coordinator/crl.pem"));
    Enrolment.of(out).revoke("beta", CRLReason.CESSATION_OF_OPERATION);
    byte[] second = Files.readAllBytes(out.resolve("coordinator/crl.pem"));
    X509Certificate beta = Pem.certificate(out.resolve("nodes/beta/node.crt"));

    Revocations held = Revocations.at(dir.resolve("held-crl.pem"), ca());
    assertTrue(held.adopt(second, "test"));
    assertFalse(held.adopt(first, "a coordinator replaying an old list"), "an older list cannot un-revoke beta");
    assertTrue(held.refusal(beta).isPresent());

    ConsortiumPki rogue = ConsortiumPki.create("test", Duration.ofDays(1), new SecureRandom());
    byte[] forged = ConsortiumPki.pem(rogue.revocationList(null, List.of(), BigInteger.valueOf(1_000), Duration.ofDays(1)))
        .getBytes(StandardCharsets.US_ASCII);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> held.adopt(forged, "a rogue coordinator"));
    assertTrue(e.getMessage().contains("not signed by the consortium CA"), e.getMessage());
    assertTrue(held.refusal(beta).isPresent(), "a forged empty list with a high number changes nothing");

    BigInteger renewed = Enrolment.of(out).renewRevocationList();
    RevocationList fresh = coordinatorsList();
    assertEquals(RevocationList.parse(second, ca()).number().add(BigInteger.ONE), renewed, "a renewed list has the next number");
    assertTrue(fresh.refusal(beta).isPresent(), "and the same entries");
    assertTrue(held.adopt(Files.readAllBytes(out.resolve("coordinator/crl.pem")), "test"), "nodes adopt it");
  }

  @Test
  void theCoordinatorReReadsItsMembersWhenTheAdministratorChangesThem() throws Exception {
    Members running = Members.load(CoordinatorConfig.load(consortium.coordinatorConfig(), Map.of()).members());
    Thread.sleep(10); // a later modification time than the load saw, on file systems with coarse clocks
    Enrolment.of(out).sign(SigningRequest.parse(SigningRequest.create("gamma", new SecureRandom()).pem(), "g"), false, Enrolment.VALIDITY);
    Enrolment.of(out).revoke("beta", CRLReason.CESSATION_OF_OPERATION);
    Members.Change change = running.reloadIfChanged();
    assertEquals(java.util.Set.of("gamma"), change.added());
    assertEquals(java.util.Set.of("beta"), change.removed());
    assertTrue(running.isMember("gamma") && !running.isMember("beta"));
    assertTrue(running.reloadIfChanged().isEmpty(), "nothing more changed");
  }

  /**
   * A connection attempt that checks a certificate reads a changed revocation list first (the
   * revoked site retrying, say): the coordinator's refresh must still report the new list once,
   * or it would never audit it nor relay it to the nodes (its own revocation would never reach them).
   */
  @Test
  void aNewRevocationListIsReportedOnceEvenIfAConnectionCheckReadItFirst() throws Exception {
    Trust trust = Trust.load(CoordinatorConfig.load(consortium.coordinatorConfig(), Map.of()));
    assertFalse(trust.refresh().newRevocationList(), "the list held at start is not news");
    Thread.sleep(10); // a later modification time, on file systems with coarse clocks
    Enrolment.of(out).revoke("beta", CRLReason.KEY_COMPROMISE);
    X509Certificate beta = Pem.certificate(out.resolve("nodes/beta/node.crt"));
    assertTrue(trust.revocations().refusal(beta).isPresent(), "a connection check applies the new list at once");
    Trust.Changes changes = trust.refresh();
    assertTrue(changes.newRevocationList(), "the refresh after it still reports the new list: " + changes);
    assertEquals(java.util.Set.of("beta"), changes.members().removed());
    assertFalse(trust.refresh().any(), "and reports it only once");
  }

  private static Map<Path, byte[]> snapshot(Path folder) throws Exception {
    Map<Path, byte[]> files = new java.util.TreeMap<>();
    try (var walk = Files.walk(folder)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) files.put(f, Files.readAllBytes(f));
    }
    return files;
  }
}
