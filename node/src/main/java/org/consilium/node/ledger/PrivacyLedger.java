package org.consilium.node.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The node's durable, append-only privacy-budget ledger. One line per entry:
 * {@code v1 <seq> <instant> <RESERVE|REFUND|EXACT> <dataset> <job> <epsilon> <crc32>}. Every append is
 * forced to disk before it returns, so a reservation exists before the node answers.
 *
 * <p>Reopening replays the file. A final fragment without its newline was cut short by a crash,
 * was never acknowledged, and is truncated away with a warning; a bad line anywhere else means the file was damaged or edited, and opening fails.
 * Refunds are only written for jobs that were aborted before any data-dependent message left.
 */
public final class PrivacyLedger implements AutoCloseable {
  public enum Kind {
    RESERVE,
    REFUND,
    /** An exact (not DP) release, allowed only by policy for validation; logged, not counted. */
    EXACT
  }

  public record Entry(long seq, Instant at, Kind kind, String dataset, String job, double epsilon) {}

  private final Path file;
  private final FileChannel channel;
  private final List<Entry> entries = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  private PrivacyLedger(Path file) throws IOException {
    this.file = file;
    if (file.getParent() != null) Files.createDirectories(file.getParent());
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    replay();
  }

  public static PrivacyLedger open(Path file) {
    try {
      return new PrivacyLedger(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open privacy ledger " + file, e);
    }
  }

  private void replay() throws IOException {
    byte[] all = Files.readAllBytes(file);
    String text = new String(all, StandardCharsets.UTF_8);
    int start = 0;
    int lineNo = 0;
    long goodBytes = 0;
    while (start < text.length()) {
      lineNo++;
      int nl = text.indexOf('\n', start);
      String line = nl < 0 ? text.substring(start) : text.substring(start, nl);
      Entry e = nl < 0 ? null : parse(line, entries.size() + 1);
      if (e == null) {
        // A write is a whole line ending in a newline: only a final fragment without one can be torn.
        if (nl < 0) {
          warnings.add(file + ": line " + lineNo + " was cut short by an interrupted write and was dropped (it had never been acknowledged)");
          channel.truncate(goodBytes);
          channel.force(true);
          break;
        }
        throw new IllegalStateException(file + ": line " + lineNo + " is damaged or out of sequence; the ledger was altered and the node refuses to start");
      }
      entries.add(e);
      start = nl + 1;
      goodBytes = text.substring(0, start).getBytes(StandardCharsets.UTF_8).length;
    }
    channel.position(channel.size());
  }

  private static Entry parse(String line, long expectedSeq) {
    String[] f = line.split(" ");
    if (f.length != 8 || !f[0].equals("v1")) return null;
    String body = line.substring(0, line.lastIndexOf(' '));
    if (!crc(body).equals(f[7])) return null;
    try {
      long seq = Long.parseLong(f[1]);
      if (seq != expectedSeq) return null;
      return new Entry(seq, Instant.parse(f[2]), Kind.valueOf(f[3]), f[4], f[5], Double.parseDouble(f[6]));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String crc(String body) {
    CRC32 c = new CRC32();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    return String.format(Locale.ROOT, "%08x", c.getValue());
  }

  /** Problems found and repaired when the ledger was opened. */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  public synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** Epsilon spent on a dataset: reservations minus refunds. */
  public synchronized double spent(String dataset) {
    double s = 0;
    for (Entry e : entries) {
      if (!e.dataset().equals(dataset)) continue;
      if (e.kind() == Kind.RESERVE) s += e.epsilon();
      if (e.kind() == Kind.REFUND) s -= e.epsilon();
    }
    return s;
  }

  public synchronized boolean hasReservation(String job) {
    return entries.stream().anyMatch(e -> e.job().equals(job) && e.kind() != Kind.REFUND);
  }

  /** Appends a reservation and forces it to disk; returns only once it is durable. */
  public synchronized Entry reserve(String dataset, String job, double epsilon) {
    if (hasReservation(job)) throw new IllegalStateException("job " + job + " already has a reservation");
    return append(Kind.RESERVE, dataset, job, epsilon);
  }

  /** True if the job reserved epsilon that has not been refunded. */
  public synchronized boolean isRefundable(String job) {
    return entries.stream().anyMatch(e -> e.job().equals(job) && e.kind() == Kind.RESERVE)
        && entries.stream().noneMatch(e -> e.job().equals(job) && e.kind() == Kind.REFUND);
  }

  /** Records an exact release before any data-dependent message; epsilon is not counted. */
  public synchronized Entry recordExact(String dataset, String job) {
    if (hasReservation(job)) throw new IllegalStateException("job " + job + " already has a reservation");
    return append(Kind.EXACT, dataset, job, 0);
  }

  /** Refunds a job's reservation (only for jobs aborted before any data-dependent message). */
  public synchronized Entry refund(String job) {
    Entry r = entries.stream().filter(e -> e.job().equals(job) && e.kind() == Kind.RESERVE).findFirst()
        .orElseThrow(() -> new IllegalStateException("job " + job + " has no reservation"));
    if (entries.stream().anyMatch(e -> e.job().equals(job) && e.kind() == Kind.REFUND)) {
      throw new IllegalStateException("job " + job + " was already refunded");
    }
    return append(Kind.REFUND, r.dataset(), job, r.epsilon());
  }

  private Entry append(Kind kind, String dataset, String job, double epsilon) {
    for (String token : List.of(dataset, job)) {
      if (!token.matches("[A-Za-z0-9._:-]{1,200}")) throw new IllegalArgumentException("not a valid ledger token: '" + token + "'");
    }
    if (!(epsilon >= 0) || Double.isInfinite(epsilon)) throw new IllegalArgumentException("epsilon must be finite and >= 0: " + epsilon);
    Entry e = new Entry(entries.size() + 1, Instant.now(), kind, dataset, job, epsilon);
    String body = String.join(" ", "v1", Long.toString(e.seq()), e.at().toString(), kind.name(), dataset, job,
        Double.toString(epsilon));
    byte[] line = (body + " " + crc(body) + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      ByteBuffer buf = ByteBuffer.wrap(line);
      while (buf.hasRemaining()) channel.write(buf);
      channel.force(true);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write privacy ledger " + file, ex);
    }
    entries.add(e);
    return e;
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
