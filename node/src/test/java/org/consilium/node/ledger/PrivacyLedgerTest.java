package org.consilium.node.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivacyLedgerTest {
  static final PrivateKey KEY = key();
  @TempDir
  Path dir;

  static PrivateKey key() {
    try {
      return KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void reservationsAreDurableAcrossReopen() {
    Path f = dir.resolve("ledger.log");
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      l.reserve("heart", "job-1", 0.5);
      l.reserve("heart", "job-2", 1.25);
      l.recordExact("heart", "job-3");
      l.reserve("other", "job-4", 2);
    }
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      assertEquals(1.75, l.spent("heart"), 1e-12);
      assertEquals(2, l.spent("other"));
      assertEquals(4, l.entries().size());
      assertTrue(l.hasReservation("job-3"));
      assertTrue(l.warnings().isEmpty());
    }
  }

  @Test
  void aRefundOnlyUndoesItsOwnReservationOnce() {
    try (PrivacyLedger l = PrivacyLedger.open(dir.resolve("l.log"), KEY)) {
      l.reserve("heart", "job-1", 1);
      l.refund("job-1");
      assertEquals(0, l.spent("heart"));
      assertThrows(IllegalStateException.class, () -> l.refund("job-1"));
      assertThrows(IllegalStateException.class, () -> l.refund("job-9"));
      assertThrows(IllegalStateException.class, () -> l.reserve("heart", "job-1", 1), "a job id is used once");
    }
  }

  @Test
  void aTornLastLineIsDroppedWithAWarning() throws Exception {
    Path f = dir.resolve("l.log");
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      l.reserve("heart", "job-1", 1);
    }
    Files.writeString(f, "v2 2 2026-11-24T00:00:00Z RESERVE heart job-2 0.", StandardOpenOption.APPEND);
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      assertEquals(1, l.spent("heart"));
      assertEquals(1, l.warnings().size(), "one repaired line");
      l.reserve("heart", "job-2", 0.5);
    }
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      assertEquals(1.5, l.spent("heart"), "the repaired file takes new entries cleanly");
    }
  }

  @Test
  void anEditedOrDeletedEntryStopsTheNode() throws Exception {
    Path f = dir.resolve("l.log");
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      l.reserve("heart", "job-1", 1);
      l.reserve("heart", "job-2", 1);
      l.reserve("heart", "job-3", 1);
    }
    String text = Files.readString(f);
    Files.writeString(f, text.replaceFirst("RESERVE heart job-1 1.0", "RESERVE heart job-1 0.1"));
    IllegalStateException edited = assertThrows(IllegalStateException.class, () -> PrivacyLedger.open(f, KEY));
    assertTrue(edited.getMessage().contains("line 1 is damaged"), edited.getMessage());
    String[] lines = text.split("\n");
    Files.writeString(f, lines[0] + "\n" + lines[2] + "\n", StandardCharsets.UTF_8);
    IllegalStateException deleted = assertThrows(IllegalStateException.class, () -> PrivacyLedger.open(f, KEY));
    assertTrue(deleted.getMessage().contains("line 2"), "a removed entry breaks the sequence: " + deleted.getMessage());
  }

  @Test
  void withoutTheNodeKeyAnEntryCannotBeForgedOrMoved() throws Exception {
    Path f = dir.resolve("l.log");
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      l.reserve("heart", "job-1", 1);
      l.reserve("heart", "job-2", 1);
    }
    String text = Files.readString(f);
    String[] lines = text.split("\n");
    // Swapping two whole, valid lines (and fixing their sequence numbers) breaks the MAC chain.
    String swapped = lines[1].replaceFirst("^v2 2 ", "v2 1 ") + "\n" + lines[0].replaceFirst("^v2 1 ", "v2 2 ") + "\n";
    Files.writeString(f, swapped);
    assertThrows(IllegalStateException.class, () -> PrivacyLedger.open(f, KEY), "reordered entries");
    Files.writeString(f, text);
    assertThrows(IllegalStateException.class, () -> PrivacyLedger.open(f, key()), "another key does not verify these entries");
    assertEquals(2, PrivacyLedger.open(f, KEY).entries().size(), "the right key does");
  }

  @Test
  void aCutTailIsFoundAgainstTheJobsTheAuditLogSaysWereAccepted() throws Exception {
    Path f = dir.resolve("l.log");
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      l.reserve("heart", "job-1", 1);
      l.reserve("heart", "job-2", 1);
    }
    String[] lines = Files.readString(f).split("\n");
    Files.writeString(f, lines[0] + "\n"); // whole lines cut from the end: the chain alone cannot tell
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      assertEquals(java.util.List.of("job-2"), l.missingFrom(java.util.List.of("job-1", "job-2")),
          "job-2 was accepted per the signed audit log, but its reservation is gone");
    }
  }

  @Test
  void aReservationWhoseDataNeverLeftIsRefundedAtTheNextStart() {
    Path f = dir.resolve("l.log");
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      l.reserve("heart", "job-sent", 0.5);
      l.dataSent("job-sent");
      l.dataSent("job-sent"); // once is enough
      l.reserve("heart", "job-stopped", 0.4); // the node dies here, before any data left
      assertTrue(!l.isRefundable("job-sent"), "once data has left, the budget is spent for good");
    }
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      var refunds = l.refundUnsent();
      assertEquals(java.util.List.of("job-stopped"), refunds.stream().map(PrivacyLedger.Entry::job).toList());
      assertEquals(0.5, l.spent("heart"), 1e-12, "only the job that sent data keeps its epsilon");
      assertTrue(l.refundUnsent().isEmpty(), "and only once");
    }
  }

  @Test
  void olderUnauthenticatedEntriesAreReadWithAWarning() throws Exception {
    Path f = dir.resolve("l.log");
    String body = "v1 1 2026-11-24T00:00:00Z RESERVE heart job-0 0.25";
    java.util.zip.CRC32 c = new java.util.zip.CRC32();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    Files.writeString(f, body + " " + String.format("%08x", c.getValue()) + "\n");
    try (PrivacyLedger l = PrivacyLedger.open(f, KEY)) {
      assertEquals(0.25, l.spent("heart"));
      assertTrue(l.warnings().get(0).contains("predate authenticated entries"), l.warnings().toString());
      l.reserve("heart", "job-1", 1);
    }
    assertEquals(1.25, PrivacyLedger.open(f, KEY).spent("heart"), 1e-12);
  }
}
