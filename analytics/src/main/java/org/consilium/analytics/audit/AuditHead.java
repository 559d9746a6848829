package org.consilium.analytics.audit;

import java.util.HexFormat;

/**
 * A log's head, "SEQ:HASH" (hash in hex): one party records the other's, so a log cut or rewritten
 * below a recorded head shows. The one place this text form is written and read.
 */
public record AuditHead(long seq, String hashHex) {
  /** The head of a log whose last entry is record. */
  public static AuditHead of(AuditRecord record) {
    return new AuditHead(record.getSeq(), HexFormat.of().formatHex(record.getHash().toByteArray()));
  }

  /** Parses "SEQ:HASH"; a missing hash is empty; throws IllegalArgumentException naming the text otherwise. */
  public static AuditHead parse(String text) {
    String[] parts = text.split(":", 2);
    try {
      return new AuditHead(Long.parseLong(parts[0]), parts.length == 2 ? parts[1] : "");
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a head is SEQ:HASH, got '" + text + "'");
    }
  }

  /** Whether record is the entry this head names, unchanged. */
  public boolean matches(AuditRecord record) {
    return record.getSeq() == seq && HexFormat.of().formatHex(record.getHash().toByteArray()).equalsIgnoreCase(hashHex);
  }

  @Override
  public String toString() {
    return seq + ":" + hashHex;
  }
}
