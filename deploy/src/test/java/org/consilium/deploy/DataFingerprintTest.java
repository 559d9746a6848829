package org.consilium.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.identity.NodeIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a site shows of its data in a model's lineage is keyed by the site: stable for the same
 * data, different from the plain digest (so a guess of the data cannot be checked against it)
 * and different between sites holding the same data.
 */
class DataFingerprintTest {
  @TempDir
  Path dir;

  @Test
  void aFingerprintIsStableKeyedAndNotThePlainDigest() throws Exception {
    Path csv = dir.resolve("site.csv");
    Files.writeString(csv, "age\n50\n");
    Provisioner.Consortium c = Provisioner.provision(new Provisioner.Plan("fp", dir.resolve("out"), "127.0.0.1", 7443, 8443, 5701,
        List.of(new Provisioner.NodePlan("alpha", Map.of("heart", csv), Map.of()), new Provisioner.NodePlan("beta", Map.of("heart", csv), Map.of())),
        Map.of(), 0, "version: 1\ndatasets:\n  heart:\n    columns:\n      age: {type: numeric, unit: years, lower: 0, upper: 120}\n"));
    NodeIdentity alpha = NodeIdentity.fromKit(NodeConfig.load(c.nodeConfigs().get("alpha"), Map.of()));
    NodeIdentity alphaAgain = NodeIdentity.fromKit(NodeConfig.load(c.nodeConfigs().get("alpha"), Map.of()));
    NodeIdentity beta = NodeIdentity.fromKit(NodeConfig.load(c.nodeConfigs().get("beta"), Map.of()));
    String digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    String fingerprint = alpha.dataFingerprint(digest);
    assertTrue(fingerprint.matches("[0-9a-f]{64}"), fingerprint);
    assertEquals(fingerprint, alphaAgain.dataFingerprint(digest), "the same data gives the same fingerprint, across restarts");
    assertNotEquals(digest, fingerprint, "not the plain digest, which anyone could recompute from a guess");
    assertNotEquals(fingerprint, beta.dataFingerprint(digest), "another site's key gives another fingerprint of the same data");
    assertNotEquals(fingerprint, alpha.dataFingerprint(digest.replace('9', '8')), "other data, another fingerprint");
  }
}
