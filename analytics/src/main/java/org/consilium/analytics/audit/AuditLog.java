package org.consilium.analytics.audit;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import org.consilium.analytics.durable.LineLog;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;

/**
 * A participant's append-only audit trail: one JSON line per {@link AuditRecord}, each holding
 * the hash of the previous one and signed with the writer's key, forced to disk before append
 * returns. Any edit, deletion or reordering breaks the chain or a signature, which
 * {@link AuditVerifier} reports with the line. Opening replays the file and refuses a broken
 * one; a final fragment without its newline (a write cut by a crash) is dropped with a warning.
 */
public final class AuditLog implements AutoCloseable {
  private final Path file;
  private final String actor;
  private final PrivateKey key;
  private final LineLog lines;
  private long seq;
  private byte[] last = new byte[32];

  private AuditLog(Path file, String actor, PrivateKey key) {
    this.file = file;
    this.actor = actor;
    this.key = key;
    this.lines = LineLog.open(file, "audit log");
    replay();
  }

  public static AuditLog open(Path file, String actor, PrivateKey key) {
    return new AuditLog(file, actor, key);
  }

  private void replay() {
    for (String line : lines.linesAtOpen()) {
      if (line.isBlank()) continue;
      AuditRecord r = parse(line);
      if (r.getSeq() != seq + 1 || !r.getPrevHash().equals(ByteString.copyFrom(last)) || !r.getHash().equals(ByteString.copyFrom(hashOf(r)))) {
        throw new IllegalStateException(file + ": entry " + (seq + 1) + " is damaged or out of order; the audit log was altered");
      }
      seq = r.getSeq();
      last = r.getHash().toByteArray();
    }
  }

  public List<String> warnings() {
    return lines.warnings();
  }

  /** Appends an event with details as alternating key, value strings; returns once it is on disk. */
  public synchronized AuditRecord append(String event, String jobId, String... keyValues) {
    if (keyValues.length % 2 != 0) throw new IllegalArgumentException("details must be key, value pairs");
    AuditRecord.Builder b = AuditRecord.newBuilder().setSeq(seq + 1).setAt(Instant.now().toString()).setActor(actor)
        .setEvent(event).setJobId(jobId == null ? "" : jobId).setPrevHash(ByteString.copyFrom(last));
    for (int i = 0; i < keyValues.length; i += 2) b.addDetails(AuditDetail.newBuilder().setKey(keyValues[i]).setValue(keyValues[i + 1]));
    byte[] hash = hashOf(b.build());
    AuditRecord r = b.setHash(ByteString.copyFrom(hash)).setSignature(ByteString.copyFrom(sign(hash))).build();
    try {
      lines.append(JsonFormat.printer().omittingInsignificantWhitespace().print(r));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    seq = r.getSeq();
    last = hash;
    return r;
  }

  /**
   * The head, "SEQ:HASH" (hex) of the last entry: handed to the other party, which records it in
   * its own log, so cutting this log's end below it shows in the cross-check.
   */
  public synchronized String head() {
    return new AuditHead(seq, java.util.HexFormat.of().formatHex(last)).toString();
  }

  /** The whole log as written so far (never a half-written entry: appends wait), for verification. */
  public synchronized List<String> lines() {
    return lines.lines();
  }

  private byte[] sign(byte[] hash) {
    return org.consilium.analytics.identity.Signatures.sign(key, hash);
  }

  /** SHA-256 of the record with hash and signature cleared (protobuf's serialisation of it). */
  static byte[] hashOf(AuditRecord r) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(r.toBuilder().clearHash().clearSignature().build().toByteArray());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static AuditRecord parse(String line) {
    AuditRecord.Builder b = AuditRecord.newBuilder();
    try {
      JsonFormat.parser().merge(line, b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an audit entry: " + e.getMessage());
    }
    return b.build();
  }

  /** A digest of released content (a result), recorded by every party so that logs can be cross-checked. */
  public static String digest(byte[] content) {
    return org.consilium.analytics.identity.Digests.sha256Hex(content);
  }

  @Override
  public synchronized void close() {
    lines.close();
  }
}
