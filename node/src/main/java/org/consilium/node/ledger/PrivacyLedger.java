package org.consilium.node.ledger;

import org.consilium.analytics.durable.LineLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.util.HexFormat;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The node's durable, append-only privacy-budget ledger. One line per entry:
 * {@code v2 <seq> <instant> <RESERVE|REFUND|EXACT|DATA_SENT> <dataset> <job> <epsilon> <mac>}, the
 * MAC an HMAC-SHA256 under a key derived from the node's private key, chained over the previous
 * entry's MAC: whoever can write the file but does not hold the node key cannot edit, insert,
 * remove or reorder an entry unnoticed (a cut tail is caught by {@link #missingFrom}, against the
 * signed audit log). Every append is forced to disk before it returns, so a reservation exists
 * before the node answers, and DATA_SENT is durable before the first data-dependent message of
 * a job leaves; a reservation without it (the node stopped in between) is refunded at the next
 * start ({@link #refundUnsent}).
 *
 * <p>Reopening replays the file. A final fragment without its newline was cut short by a crash,
 * was never acknowledged, and is truncated away with a warning; a bad line anywhere else means
 * the file was damaged or edited, and opening fails. Lines of the older format v1 (CRC32, no
 * key) are read when they come first, with a warning.
 */
public final class PrivacyLedger implements AutoCloseable {
  public enum Kind {
    RESERVE,
    REFUND,
    /** An exact (not DP) release, allowed only by policy for validation; logged, not counted. */
    EXACT,
    /** The job's first data-dependent message is about to leave: its budget is spent for good. */
    DATA_SENT
  }

  public record Entry(long seq, Instant at, Kind kind, String dataset, String job, double epsilon) {}

  private final Path file;
  private final LineLog log;
  private final List<Entry> entries = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final byte[] macKey;
  private String lastMac = "";

  private PrivacyLedger(Path file, byte[] macKey) {
    this.file = file;
    this.macKey = macKey;
    this.log = LineLog.open(file, "privacy ledger");
    warnings.addAll(log.warnings());
    replay();
  }

  /** Opens (or creates) the ledger, authenticated under a key derived from the node's private key. */
  public static PrivacyLedger open(Path file, PrivateKey nodeKey) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("consilium privacy ledger v2\0".getBytes(StandardCharsets.UTF_8));
      return new PrivacyLedger(file, sha.digest(nodeKey.getEncoded()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void replay() {
    int legacy = 0;
    int lineNo = 0;
    for (String line : log.linesAtOpen()) {
      lineNo++;
      Entry e;
      if (line.startsWith("v1 ") && legacy == entries.size()) {
        e = parse(line, entries.size() + 1);
        if (e != null) legacy++;
      } else {
        e = parseAuthenticated(line, entries.size() + 1);
      }
      if (e == null) {
        throw new IllegalStateException(file + ": line " + lineNo + " is damaged or out of sequence; the ledger was altered and the node refuses to start");
      }
      entries.add(e);
    }
    if (legacy > 0) warnings.add(file + ": the first " + legacy + " entries predate authenticated entries (v1, CRC32 only)");
  }

  private Entry parseAuthenticated(String line, long expectedSeq) {
    String[] f = line.split(" ");
    if (f.length != 8 || !f[0].equals("v2")) return null;
    String body = line.substring(0, line.lastIndexOf(' '));
    if (!MessageDigest.isEqual(mac(lastMac, body).getBytes(StandardCharsets.US_ASCII), f[7].getBytes(StandardCharsets.US_ASCII))) return null;
    try {
      long seq = Long.parseLong(f[1]);
      if (seq != expectedSeq) return null;
      Entry e = new Entry(seq, Instant.parse(f[2]), Kind.valueOf(f[3]), f[4], f[5], Double.parseDouble(f[6]));
      lastMac = f[7];
      return e;
    } catch (RuntimeException ex) {
      return null;
    }
  }

  /** HMAC-SHA256 of the previous MAC and this entry's body, hex. */
  private String mac(String previous, String body) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(macKey, "HmacSHA256"));
      m.update(previous.getBytes(StandardCharsets.US_ASCII));
      m.update((byte) '\n');
      return HexFormat.of().formatHex(m.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
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

  /** True if the job reserved epsilon that has not been refunded and none of its data has left. */
  public synchronized boolean isRefundable(String job) {
    return entries.stream().anyMatch(e -> e.job().equals(job) && e.kind() == Kind.RESERVE)
        && entries.stream().noneMatch(e -> e.job().equals(job) && (e.kind() == Kind.REFUND || e.kind() == Kind.DATA_SENT));
  }

  /**
   * Records, durably, that the job's first data-dependent message is about to leave (once per
   * job; later calls do nothing). From then on its reservation is spent for good.
   */
  public synchronized void dataSent(String job) {
    Entry r = entries.stream().filter(e -> e.job().equals(job) && (e.kind() == Kind.RESERVE || e.kind() == Kind.EXACT)).findFirst()
        .orElseThrow(() -> new IllegalStateException("job " + job + " has no reservation"));
    if (entries.stream().anyMatch(e -> e.job().equals(job) && e.kind() == Kind.DATA_SENT)) return;
    append(Kind.DATA_SENT, r.dataset(), job, 0);
  }

  /**
   * At start: refunds every reservation whose job never sent data (the node stopped between
   * reserving and sending, so nothing computed from its data left it). Returns the refunds.
   */
  public synchronized List<Entry> refundUnsent() {
    List<Entry> out = new ArrayList<>();
    for (Entry e : List.copyOf(entries)) {
      if (e.kind() == Kind.RESERVE && isRefundable(e.job())) out.add(refund(e.job()));
    }
    return out;
  }

  /**
   * The jobs the signed audit log says were accepted (so reserved) that this ledger does not
   * hold: entries cut from its tail. Empty when the two agree.
   */
  public synchronized List<String> missingFrom(java.util.Collection<String> acceptedJobs) {
    return acceptedJobs.stream().filter(j -> entries.stream().noneMatch(e -> e.job().equals(j))).distinct().toList();
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
    String body = String.join(" ", "v2", Long.toString(e.seq()), e.at().toString(), kind.name(), dataset, job,
        Double.toString(epsilon));
    String mac = mac(lastMac, body);
    log.append(body + " " + mac);
    entries.add(e);
    lastMac = mac;
    return e;
  }

  @Override
  public synchronized void close() {
    log.close();
  }
}
