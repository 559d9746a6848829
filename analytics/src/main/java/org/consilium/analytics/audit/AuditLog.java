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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A participant's append-only audit trail: one JSON line per {@link AuditRecord}, each holding
 * the hash of the previous one and signed with the writer's key. Any edit, deletion or
 * reordering breaks the chain or a signature, which {@link AuditVerifier} reports with the line.
 * Opening replays the file and refuses a broken one; a final fragment without its newline (a
 * write cut by a crash) is dropped with a warning.
 *
 * <p>Writes are group-committed: {@link #submit} chains the entry at once (so the order is the
 * callers') and hands it to the log's writer thread, which signs every entry waiting, writes them
 * and forces them to disk together; the returned future completes once it is on disk.
 * An event loop submits and lets what the entry records take effect only after
 * {@link #flushed} (no signature and no fsync on the loop, one fsync for many entries); {@link #append} is the
 * same, waiting. Once a write fails, the log refuses every later entry (the chain cannot skip).
 */
public final class AuditLog implements AutoCloseable {
  private final Path file;
  private final String actor;
  private final PrivateKey key;
  private final LineLog lines;
  private long seq;
  private byte[] last = new byte[32];
  /** Entries signed and waiting for the writer, in order. */
  private record Queued(AuditRecord unsigned, CompletableFuture<AuditRecord> done) {}

  private final List<Queued> queue = new ArrayList<>();
  private final ExecutorService writer;
  private CompletableFuture<AuditRecord> latest = CompletableFuture.completedFuture(null);
  private boolean draining;
  private boolean closed;
  private RuntimeException failure;

  private AuditLog(Path file, String actor, PrivateKey key) {
    this.file = file;
    this.actor = actor;
    this.key = key;
    this.lines = LineLog.open(file, "audit log");
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "audit-writer " + actor);
      t.setDaemon(true);
      return t;
    });
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
  public AuditRecord append(String event, String jobId, String... keyValues) {
    try {
      return submit(event, jobId, keyValues).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /**
   * Chains and queues an event at once (its place and hash in the log are fixed now; the writer
   * signs it: the signature covers the hash, which does not depend on it); the future completes
   * once it is on disk, signed, or fails if the write failed.
   */
  public synchronized CompletableFuture<AuditRecord> submit(String event, String jobId, String... keyValues) {
    if (keyValues.length % 2 != 0) throw new IllegalArgumentException("details must be key, value pairs");
    if (failure != null) throw new IllegalStateException("the audit log " + file + " could not be written; no entry is taken after it", failure);
    if (closed) throw new IllegalStateException("the audit log " + file + " is closed");
    AuditRecord.Builder b = AuditRecord.newBuilder().setSeq(seq + 1).setAt(Instant.now().toString()).setActor(actor)
        .setEvent(event).setJobId(jobId == null ? "" : jobId).setPrevHash(ByteString.copyFrom(last));
    for (int i = 0; i < keyValues.length; i += 2) b.addDetails(AuditDetail.newBuilder().setKey(keyValues[i]).setValue(keyValues[i + 1]));
    byte[] hash = hashOf(b.build());
    AuditRecord unsigned = b.setHash(ByteString.copyFrom(hash)).build();
    seq = unsigned.getSeq();
    last = hash;
    CompletableFuture<AuditRecord> done = new CompletableFuture<>();
    queue.add(new Queued(unsigned, done));
    latest = done;
    if (!draining) {
      draining = true;
      writer.execute(this::drain);
    }
    return done;
  }

  /** Completes once every entry submitted so far is on disk (at once when none is waiting). */
  public synchronized CompletableFuture<Void> flushed() {
    return latest.thenApply(r -> null);
  }

  /** The writer: every queued entry in one write and one force, until none waits. */
  private void drain() {
    while (true) {
      List<Queued> batch;
      synchronized (this) {
        if (queue.isEmpty()) {
          draining = false;
          return;
        }
        batch = new ArrayList<>(queue);
        queue.clear();
      }
      try {
        List<AuditRecord> signed = new ArrayList<>();
        List<String> text = new ArrayList<>();
        for (Queued q : batch) {
          AuditRecord r = q.unsigned().toBuilder().setSignature(ByteString.copyFrom(sign(q.unsigned().getHash().toByteArray()))).build();
          signed.add(r);
          text.add(JsonFormat.printer().omittingInsignificantWhitespace().print(r));
        }
        lines.appendAll(text);
        for (int i = 0; i < batch.size(); i++) batch.get(i).done().complete(signed.get(i));
      } catch (RuntimeException | InvalidProtocolBufferException e) {
        RuntimeException failed = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        synchronized (this) {
          failure = failed;
          batch.addAll(queue);
          queue.clear();
          draining = false;
        }
        batch.forEach(q -> q.done().completeExceptionally(failed));
        return;
      }
    }
  }

  /**
   * The head, "SEQ:HASH" (hex) of the last entry submitted: handed to the other party, which
   * records it in its own log, so cutting this log's end below it shows in the cross-check. A
   * frame carrying it leaves after {@link #flushed}, so the entry it names is on disk by then.
   */
  public synchronized String head() {
    return new AuditHead(seq, java.util.HexFormat.of().formatHex(last)).toString();
  }

  /** The whole log as written so far, once every submitted entry is on disk, for verification. */
  public List<String> lines() {
    flushed().join();
    synchronized (this) {
      return lines.lines();
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

  /** Waits for the entries submitted so far, then closes the file. */
  @Override
  public void close() {
    CompletableFuture<Void> pending;
    synchronized (this) {
      if (closed) return;
      closed = true;
      pending = flushed();
    }
    try {
      pending.join();
    } catch (CompletionException e) {
      // Already reported to whoever waited for those entries.
    }
    writer.shutdown();
    synchronized (this) {
      lines.close();
    }
  }
}
