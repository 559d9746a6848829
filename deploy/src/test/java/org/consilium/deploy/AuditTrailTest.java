package org.consilium.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.audit.AuditVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTrailTest {
  @TempDir
  Path dir;

  private final ConsortiumPki pki = ConsortiumPki.create("audit-test", Duration.ofDays(1), new SecureRandom());
  private final ConsortiumPki.Issued node = pki.issue("alpha", "node", List.of(), Duration.ofDays(1));
  private final ConsortiumPki.Issued coordinator = pki.issue("coordinator", "coordinator", List.of("127.0.0.1"), Duration.ofDays(1));

  private Path writeNodeLog() {
    Path f = dir.resolve("node-audit.log");
    try (AuditLog log = AuditLog.open(f, "alpha", node.keys().getPrivate())) {
      log.append("job.offered", "job-1", "computation", "statistics");
      log.append("job.accepted", "job-1", "epsilon_reserved", "1.0");
      log.append("job.released", "job-1", "result_sha256", "abc");
    }
    try (AuditLog log = AuditLog.open(f, "alpha", node.keys().getPrivate())) {
      log.append("job.offered", "job-2", "computation", "train");
    }
    return f;
  }

  /** Group commit: entries submitted from many threads at once share forces, and the chain is still whole and in order. */
  @Test
  void concurrentWritersShareForcesAndTheChainStaysWholeAndSigned() throws Exception {
    Path f = dir.resolve("busy-audit.log");
    List<java.util.concurrent.CompletableFuture<org.consilium.analytics.audit.AuditRecord>> done =
        Collections.synchronizedList(new ArrayList<>());
    try (AuditLog log = AuditLog.open(f, "alpha", node.keys().getPrivate())) {
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        Thread t = new Thread(() -> {
          for (int i = 0; i < 50; i++) done.add(log.submit("step.closed", "job-" + writer, "step", Integer.toString(i)));
        });
        t.start();
        writers.add(t);
      }
      for (Thread t : writers) t.join();
      log.append("job.released", "job-0", "result_sha256", "abc"); // waits for itself, and so for everything before it
      for (var d : done) assertTrue(d.isDone() && !d.isCompletedExceptionally(), "every earlier entry is on disk once a later one is");
    }
    AuditVerifier.Report r = verify(Files.readAllLines(f));
    assertTrue(r.ok(), r.problems().toString());
    assertEquals(201, r.entries().size(), "200 submitted entries and the last append");
    for (int i = 0; i < r.entries().size(); i++) assertEquals(i + 1, r.entries().get(i).getSeq(), "in the order they were chained");
  }

  @Test
  void aSubmittedEntryIsOnDiskWhenItsFutureCompletesAndAClosedLogRefusesMore() throws Exception {
    Path f = dir.resolve("submit-audit.log");
    AuditLog log = AuditLog.open(f, "alpha", node.keys().getPrivate());
    var first = log.submit("job.offered", "job-1", "computation", "train");
    log.flushed().join();
    assertTrue(first.isDone() && Files.readAllLines(f).size() == 1, "flushed: the entry is in the file");
    assertEquals(1, first.join().getSeq());
    log.submit("step.closed", "job-1", "step", "0");
    log.close(); // waits for the entry submitted before it
    assertEquals(2, Files.readAllLines(f).size(), "close writes what was submitted before it");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> log.submit("job.released", "job-1"));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  private AuditVerifier.Report verify(List<String> lines) {
    return AuditVerifier.verify(lines, node.certificate(), pki.caCertificate());
  }

  @Test
  void aCutEndIsCaughtAgainstAHeadRecordedElsewhere() throws Exception {
    Path f = writeNodeLog();
    List<String> lines = Files.readAllLines(f);
    String head = AuditVerifier.head(verify(lines).entries());
    assertTrue(head.startsWith("4:"), head);
    Files.write(f, lines.subList(0, 3)); // the last entry removed: the chain alone still verifies
    assertTrue(verify(Files.readAllLines(f)).ok(), "a chained log cannot show its own cut end");
    Path cert = dir.resolve("alpha.crt");
    Path ca = dir.resolve("ca.crt");
    Files.writeString(cert, ConsortiumPki.pem(node.certificate()));
    Files.writeString(ca, ConsortiumPki.pem(pki.caCertificate()));
    String[] base = {"--ca", ca.toString(), "--log", f.toString(), "--cert", cert.toString()};
    assertEquals(1, run(base, "--min-seq", "4"), "the log no longer reaches entry 4");
    assertEquals(1, run(base, "--expect-head", head), "the recorded head is gone");
    Files.write(f, lines);
    assertEquals(0, run(base, "--expect-head", head), "the intact log has its recorded head");
    assertEquals(0, run(base, "--min-seq", "4"));
    assertTrue(AuditVerifier.headProblems(verify(lines).entries(), 0, new org.consilium.analytics.audit.AuditHead(4, "00")).get(0).contains("does not have the recorded hash"),
        "a rewritten entry at the recorded head is named");
  }

  private static int run(String[] base, String... more) {
    String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(more)).toArray(String[]::new);
    return new picocli.CommandLine(new AuditCommand()).execute(args);
  }

  @Test
  void anIntactLogVerifiesAcrossReopens() throws Exception {
    AuditVerifier.Report r = verify(Files.readAllLines(writeNodeLog()));
    assertTrue(r.ok(), r.problems().toString());
    assertEquals(4, r.entries().size());
  }

  @Test
  void anyEditDeletionOrReorderingOfACopyIsDetected() throws Exception {
    List<String> lines = Files.readAllLines(writeNodeLog());
    List<String> edited = new ArrayList<>(lines);
    edited.set(1, edited.get(1).replace("1.0", "0.1"));
    assertTrue(verify(edited).problems().stream().anyMatch(p -> p.startsWith("line 2") && p.contains("edited")), verify(edited).problems().toString());
    List<String> deleted = new ArrayList<>(lines);
    deleted.remove(1);
    assertTrue(verify(deleted).problems().stream().anyMatch(p -> p.contains("deleted or reordered")), verify(deleted).problems().toString());
    List<String> reordered = new ArrayList<>(lines);
    Collections.swap(reordered, 1, 2);
    assertTrue(!verify(reordered).ok(), "reordering is detected");
    List<String> truncatedAtTheEnd = new ArrayList<>(lines.subList(0, 3));
    assertTrue(verify(truncatedAtTheEnd).ok(), "a prefix is a valid log; cross-checks catch missing tails");
  }

  @Test
  void aLogSignedWithAnotherKeyOrUnderAnotherCaIsRefused() throws Exception {
    List<String> lines = Files.readAllLines(writeNodeLog());
    AuditVerifier.Report wrongWriter = AuditVerifier.verify(lines, coordinator.certificate(), pki.caCertificate());
    assertTrue(wrongWriter.problems().stream().anyMatch(p -> p.contains("signature does not verify")));
    ConsortiumPki other = ConsortiumPki.create("other", Duration.ofDays(1), new SecureRandom());
    AuditVerifier.Report foreignCa = AuditVerifier.verify(lines, node.certificate(), other.caCertificate());
    assertTrue(foreignCa.problems().get(0).contains("not valid under the consortium CA"));
  }

  @Test
  void theWriterRefusesToAppendToADamagedLog() throws Exception {
    Path f = writeNodeLog();
    List<String> lines = new ArrayList<>(Files.readAllLines(f));
    lines.remove(0);
    Files.write(f, lines);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> AuditLog.open(f, "alpha", node.keys().getPrivate()));
    assertTrue(e.getMessage().contains("altered"), e.getMessage());
  }

  @Test
  void crossCheckingFindsJobsAndResultsTheCoordinatorDoesNotVouchFor() throws Exception {
    Path c = dir.resolve("coordinator-audit.log");
    try (AuditLog log = AuditLog.open(c, "coordinator", coordinator.keys().getPrivate())) {
      log.append("job.offered", "job-1", "participants", "alpha,beta");
      log.append("job.released", "job-1", "result_sha256", "abd");
    }
    var coord = AuditVerifier.verify(Files.readAllLines(c), coordinator.certificate(), pki.caCertificate());
    var mine = verify(Files.readAllLines(writeNodeLog()));
    List<String> problems = AuditVerifier.crossCheck(coord.entries(), mine.entries(), "alpha");
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("differs"), "the result digests differ: " + problems);
    int exit = new picocli.CommandLine(new AuditCommand()).execute("--ca", writePem(pki.caCertificate(), "ca.crt").toString(),
        "--log", dir.resolve("node-audit.log").toString(), "--cert", writePem(node.certificate(), "node.crt").toString(),
        "--coordinator-log", c.toString(), "--coordinator-cert", writePem(coordinator.certificate(), "coordinator.crt").toString());
    assertEquals(1, exit, "the command reports the mismatch with a non-zero exit");
  }

  private Path writePem(java.security.cert.X509Certificate cert, String name) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, ConsortiumPki.pem(cert));
    return p;
  }

  /**
   * The attack: cut the last entries of one log (a refused job's offer and refusal). Each log
   * holds the other's head, recorded at the offer and at the decision, so the cut shows.
   */
  @Test
  void cuttingEitherLogsEndShowsAgainstTheHeadTheOtherRecorded() throws Exception {
    Path c = dir.resolve("coordinator-anchored.log");
    Path n = dir.resolve("node-anchored.log");
    try (AuditLog coord = AuditLog.open(c, "coordinator", coordinator.keys().getPrivate());
        AuditLog mine = AuditLog.open(n, "alpha", node.keys().getPrivate())) {
      coord.append("coordinator.started", "");
      coord.append("job.offered", "job-9", "participants", "alpha");
      mine.append("job.offered", "job-9", "coordinator_head", coord.head());
      mine.append("job.refused", "job-9", "policy", "policy.epsilon_cap", "reason", "over the cap");
      coord.append("job.refused", "job-9", "node", "alpha", "policy", "policy.epsilon_cap", "node_head", mine.head());
      coord.append("job.ended", "job-9", "status", "REFUSED");
    }
    List<String> coordLines = Files.readAllLines(c);
    List<String> nodeLines = Files.readAllLines(n);
    assertTrue(cross(coordLines, nodeLines).isEmpty(), "intact logs agree: " + cross(coordLines, nodeLines));

    List<String> coordCut = coordLines.subList(0, 1); // the refused job's last three coordinator entries removed
    assertTrue(AuditVerifier.verify(coordCut, coordinator.certificate(), pki.caCertificate()).ok(), "the cut log still chains");
    List<String> problems = cross(coordCut, nodeLines);
    assertTrue(problems.stream().anyMatch(p -> p.contains("the coordinator's log lacks entry 2")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("refused job job-9, which the coordinator's log does not record")), problems.toString());

    List<String> nodeCut = nodeLines.subList(0, 1); // the node's refusal removed
    problems = cross(coordLines, nodeCut);
    assertTrue(problems.stream().anyMatch(p -> p.contains("node alpha's log lacks entry 2")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("records a refusal of job job-9 that node alpha's log does not")), problems.toString());
  }

  private List<String> cross(List<String> coordinatorLines, List<String> nodeLines) {
    var coord = AuditVerifier.verify(coordinatorLines, coordinator.certificate(), pki.caCertificate());
    return AuditVerifier.crossCheck(coord.entries(), verify(nodeLines).entries(), "alpha");
  }
}
