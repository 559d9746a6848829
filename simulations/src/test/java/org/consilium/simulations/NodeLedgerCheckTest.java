package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.identity.Pem;
import org.consilium.deploy.Provisioner;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.ledger.PrivacyLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node whose privacy ledger lost entries that its signed audit log records refuses to start. */
class NodeLedgerCheckTest {
  @TempDir
  Path dir;

  @Test
  void aLedgerCutBehindTheAuditLogsBackStopsTheNode() throws Exception {
    Map<String, Path> csv = HeartDisease.extractTo(dir.resolve("data"));
    Provisioner.Consortium kits = Provisioner.provision(new Provisioner.Plan("ledger", dir.resolve("kits"), "127.0.0.1", 1, 2, 3,
        List.of(new Provisioner.NodePlan("cleveland", Map.of(HeartDisease.DATASET, csv.get("cleveland")), Map.of())), Map.of(), 0,
        HeartDisease.dictionaryText()));
    Path config = kits.nodeConfigs().get("cleveland");
    NodeConfig cfg = NodeConfig.load(config, Map.of());
    try (PrivacyLedger ledger = PrivacyLedger.open(cfg.ledger(), Pem.privateKey(cfg.privateKey()))) {
      ledger.reserve(HeartDisease.DATASET, "job-1", 1);
      ledger.dataSent("job-1");
      ledger.reserve(HeartDisease.DATASET, "job-2", 1);
      ledger.dataSent("job-2");
    }
    AuditLog audit = AuditLog.open(cfg.auditLog(), "cleveland", Pem.privateKey(cfg.privateKey()));
    audit.append("job.accepted", "job-1", "epsilon_reserved", "1.0");
    audit.append("job.accepted", "job-2", "epsilon_reserved", "1.0");
    assertEquals(0, NodeCheck.run(config).exit(), "ledger and audit log agree");

    // Someone with write access to the file cuts the last reservation (and its marker) to win budget back.
    List<String> lines = Files.readAllLines(cfg.ledger());
    Files.write(cfg.ledger(), lines.subList(0, 2));
    NodeCheck r = NodeCheck.run(config);
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("lacks the reservations of jobs [job-2]"), r.err());
  }



}
