package org.consilium.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.identity.Participants;
import org.consilium.coordinator.api.AdminCredential;
import org.consilium.coordinator.config.CoordinatorConfig;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.identity.NodeIdentity;
import org.consilium.analytics.identity.Pem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvisionerTest {
  @TempDir
  Path dir;

  private Provisioner.Consortium provision() throws Exception {
    Path csv = dir.resolve("site.csv");
    Files.writeString(csv, "age\n50\n");
    return Provisioner.provision(new Provisioner.Plan("test", dir.resolve("out"), "127.0.0.1", 7443, 8443, 5701,
        List.of(new Provisioner.NodePlan("alpha", Map.of("heart", csv), Map.of("policy.epsilon_cap", "3"))), Map.of(), 512, DICTIONARY));
  }

  private static final String DICTIONARY = "version: 1\ndatasets:\n  heart:\n    columns:\n      age: {type: numeric, unit: years, lower: 0, upper: 120}\n";

  @Test
  void theCoordinatorKitPinsEveryMembersCertificate() throws Exception {
    Provisioner.Consortium c = provision();
    org.consilium.coordinator.gateway.Members members =
        org.consilium.coordinator.gateway.Members.load(CoordinatorConfig.load(c.coordinatorConfig(), Map.of()).members());
    X509Certificate alpha = Pem.certificate(c.nodeConfigs().get("alpha").getParent().resolve("node.crt"));
    assertTrue(members.refusal("alpha", alpha).isEmpty(), "alpha's provisioned certificate is the pinned one");
    assertTrue(members.refusal("beta", alpha).isPresent(), "nobody else is a member");
  }

  @Test
  void everyKitCarriesTheSameDataDictionary() throws Exception {
    Provisioner.Consortium c = provision();
    Path coordinatorCopy = CoordinatorConfig.load(c.coordinatorConfig(), Map.of()).dictionary();
    Path nodeCopy = NodeConfig.load(c.nodeConfigs().get("alpha"), Map.of()).dictionary();
    assertEquals(DICTIONARY, Files.readString(coordinatorCopy));
    assertEquals(DICTIONARY, Files.readString(nodeCopy));
    Path csv = dir.resolve("other.csv");
    Files.writeString(csv, "age\n50\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Provisioner.Plan("t", dir.resolve("x"), "h",
        1, 2, 3, List.of(new Provisioner.NodePlan("beta", Map.of("cancer", csv), Map.of())), Map.of(), 0, DICTIONARY));
    assertTrue(e.getMessage().contains("dataset 'cancer' is not in the data dictionary"), e.getMessage());
  }

  @Test
  void kitsHoldCertificatesSignedByTheConsortiumCaWithRolesAndLoadableConfigs() throws Exception {
    Provisioner.Consortium c = provision();
    X509Certificate ca = Pem.certificate(c.caCertificate());
    Path node = c.nodeConfigs().get("alpha").getParent();
    X509Certificate nodeCert = Pem.certificate(node.resolve("node.crt"));
    nodeCert.verify(ca.getPublicKey());
    assertEquals("alpha", Participants.id(nodeCert));
    assertEquals("node", Participants.role(nodeCert));
    X509Certificate coordCert = Pem.certificate(c.coordinatorConfig().getParent().resolve("coordinator.crt"));
    coordCert.verify(ca.getPublicKey());
    assertEquals("coordinator", Participants.role(coordCert));
    assertTrue(coordCert.getSubjectAlternativeNames().stream().anyMatch(s -> "127.0.0.1".equals(s.get(1))), "coordinator SAN has its IP");

    NodeConfig nc = NodeConfig.load(c.nodeConfigs().get("alpha"), Map.of());
    assertEquals(3.0, nc.datasets().get("heart").epsilonCap());
    NodeIdentity.fromKit(nc);
    CoordinatorConfig cc = CoordinatorConfig.load(c.coordinatorConfig(), Map.of());
    assertEquals(AdminCredential.digestHex(c.adminToken()), cc.adminCredentialSha256());
    assertTrue(!Files.readString(c.coordinatorConfig()).contains(c.adminToken()), "the token itself is not in the config");
    assertTrue(cc.hePublicKey() != null && nc.heKeyShare() != null, "the threshold Paillier key was dealt into the kits");
  }

  @Test
  void privateKeysAreReadableByTheOwnerOnly() throws Exception {
    Provisioner.Consortium c = provision();
    for (Path key : List.of(c.out().resolve("ca/ca.key"), c.coordinatorConfig().getParent().resolve("coordinator.key"),
        c.coordinatorConfig().getParent().resolve("admin-credential"), c.nodeConfigs().get("alpha").getParent().resolve("node.key"),
        c.nodeConfigs().get("alpha").getParent().resolve("he-key-share.pb"), c.consoleCredentials(),
        c.coordinatorConfig().getParent().resolve("console-users.yaml"))) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), key.toString());
    }
  }

  @Test
  void theConsoleAccountsSignInWithTheirPasswordsAndTheUsersFileHoldsOnlyHashes() throws Exception {
    Provisioner.Consortium c = provision();
    var users = org.consilium.coordinator.access.UserStore.load(c.coordinatorConfig().getParent().resolve("console-users.yaml"));
    String usersFile = Files.readString(c.coordinatorConfig().getParent().resolve("console-users.yaml"));
    for (var role : org.consilium.coordinator.access.Role.values()) {
      String password = c.consolePassword(role.label());
      assertEquals(20, password.length(), "a 20-character random password");
      assertEquals(role, users.authenticate(role.label(), password.toCharArray()).orElseThrow().role());
      assertTrue(!usersFile.contains(password), "the users file holds no password");
    }
    assertTrue(Files.readString(c.coordinatorConfig()).contains("users_file: console-users.yaml"), "the config points at the users file");
  }

  @Test
  void anExistingConsortiumIsNeverOverwritten() throws Exception {
    provision();
    RuntimeException e = assertThrows(RuntimeException.class, this::provision);
    assertTrue(e.getMessage().contains("refusing to overwrite"), e.getMessage());
  }

  @Test
  void aNodeCertificateFromAnotherCaIsRejectedByTheNodeIdentityCheck() throws Exception {
    Provisioner.Consortium c = provision();
    X509Certificate ca = Pem.certificate(c.caCertificate());
    ConsortiumPki other = ConsortiumPki.create("other", java.time.Duration.ofDays(1), new java.security.SecureRandom());
    ConsortiumPki.Issued foreign = other.issue("alpha", "node", List.of(), java.time.Duration.ofDays(1));
    NodeConfig nc = NodeConfig.load(c.nodeConfigs().get("alpha"), Map.of());
    NodeIdentity me = NodeIdentity.fromKit(nc);
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> me.verifiedNodeId(foreign.certificate()));
    assertTrue(ex.getMessage().contains("not valid under the consortium CA"), ex.getMessage());
  }
}
