package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.identity.Pem;
import org.consilium.deploy.Provisioner;
import org.consilium.node.NodeMain;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.ledger.PrivacyLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
    assertEquals(0, check(config).exit(), "ledger and audit log agree");

    // Someone with write access to the file cuts the last reservation (and its marker) to win budget back.
    List<String> lines = Files.readAllLines(cfg.ledger());
    Files.write(cfg.ledger(), lines.subList(0, 2));
    Run r = check(config);
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("lacks the reservations of jobs [job-2]"), r.err());
  }

  private record Run(int exit, String out, String err) {}

  private static Run check(Path config) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int exit = new CommandLine(new NodeMain()).execute("--config", config.toString(), "--check");
      return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
