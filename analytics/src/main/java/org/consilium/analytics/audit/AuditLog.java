package org.consilium.analytics.audit;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
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
  private final FileChannel channel;
  private final List<String> warnings = new ArrayList<>();
  private long seq;
  private byte[] last = new byte[32];

  private AuditLog(Path file, String actor, PrivateKey key) throws IOException {
    this.file = file;
    this.actor = actor;
    this.key = key;
    if (file.getParent() != null) Files.createDirectories(file.getParent());
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    replay();
  }

  public static AuditLog open(Path file, String actor, PrivateKey key) {
    try {
      return new AuditLog(file, actor, key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open audit log " + file, e);
    }
  }

  private void replay() throws IOException {
    String text = Files.readString(file);
    int end = text.lastIndexOf('\n') + 1;
    if (end < text.length()) {
      warnings.add(file + ": a final entry cut short by an interrupted write was dropped (it had never been acknowledged)");
      channel.truncate(text.substring(0, end).getBytes(StandardCharsets.UTF_8).length);
      channel.force(true);
    }
    for (String line : text.substring(0, end).split("\n")) {
      if (line.isBlank()) continue;
      AuditRecord r = parse(line);
      if (r.getSeq() != seq + 1 || !r.getPrevHash().equals(ByteString.copyFrom(last)) || !r.getHash().equals(ByteString.copyFrom(hashOf(r)))) {
        throw new IllegalStateException(file + ": entry " + (seq + 1) + " is damaged or out of order; the audit log was altered");
      }
      seq = r.getSeq();
      last = r.getHash().toByteArray();
    }
    channel.position(channel.size());
  }

  public List<String> warnings() {
    return List.copyOf(warnings);
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
      ByteBuffer buf = ByteBuffer.wrap((JsonFormat.printer().omittingInsignificantWhitespace().print(r) + "\n")
          .getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) channel.write(buf);
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write audit log " + file, e);
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
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read audit log " + file, e);
    }
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
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
