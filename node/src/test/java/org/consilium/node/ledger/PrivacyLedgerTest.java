package org.consilium.node.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivacyLedgerTest {
  @TempDir
  Path dir;

  @Test
  void reservationsAreDurableAcrossReopen() {
    Path f = dir.resolve("ledger.log");
    try (PrivacyLedger l = PrivacyLedger.open(f)) {
      l.reserve("heart", "job-1", 0.5);
      l.reserve("heart", "job-2", 1.25);
      l.recordExact("heart", "job-3");
      l.reserve("other", "job-4", 2);
    }
    try (PrivacyLedger l = PrivacyLedger.open(f)) {
      assertEquals(1.75, l.spent("heart"), 1e-12);
      assertEquals(2, l.spent("other"));
      assertEquals(4, l.entries().size());
      assertTrue(l.hasReservation("job-3"));
      assertTrue(l.warnings().isEmpty());
    }
  }

  @Test
  void aRefundOnlyUndoesItsOwnReservationOnce() {
    try (PrivacyLedger l = PrivacyLedger.open(dir.resolve("l.log"))) {
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
    try (PrivacyLedger l = PrivacyLedger.open(f)) {
      l.reserve("heart", "job-1", 1);
    }
    Files.writeString(f, "v1 2 2026-11-24T00:00:00Z RESERVE heart job-2 0.", StandardOpenOption.APPEND);
    try (PrivacyLedger l = PrivacyLedger.open(f)) {
      assertEquals(1, l.spent("heart"));
      assertEquals(1, l.warnings().size(), "one repaired line");
      l.reserve("heart", "job-2", 0.5);
    }
    try (PrivacyLedger l = PrivacyLedger.open(f)) {
      assertEquals(1.5, l.spent("heart"), "the repaired file takes new entries cleanly");
    }
  }

  @Test
  void anEditedOrDeletedEntryStopsTheNode() throws Exception {
    Path f = dir.resolve("l.log");
    try (PrivacyLedger l = PrivacyLedger.open(f)) {
      l.reserve("heart", "job-1", 1);
      l.reserve("heart", "job-2", 1);
      l.reserve("heart", "job-3", 1);
    }
    String text = Files.readString(f);
    Files.writeString(f, text.replaceFirst("RESERVE heart job-1 1.0", "RESERVE heart job-1 0.1"));
    IllegalStateException edited = assertThrows(IllegalStateException.class, () -> PrivacyLedger.open(f));
    assertTrue(edited.getMessage().contains("line 1 is damaged"), edited.getMessage());
    String[] lines = text.split("\n");
    Files.writeString(f, lines[0] + "\n" + lines[2] + "\n", StandardCharsets.UTF_8);
    IllegalStateException deleted = assertThrows(IllegalStateException.class, () -> PrivacyLedger.open(f));
    assertTrue(deleted.getMessage().contains("line 2"), "a removed entry breaks the sequence: " + deleted.getMessage());
  }
}
