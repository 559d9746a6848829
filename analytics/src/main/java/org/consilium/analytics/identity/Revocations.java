package org.consilium.analytics.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.consilium.analytics.durable.AtomicFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The revocation list a participant applies, kept in a file of its kit: re-read when the file
 * changes (an administrator copied a newer one in) and replaced when a newer list arrives from
 * the coordinator. Only a list signed by the consortium CA with a higher CRL number than the
 * current one is ever adopted, so a stale or forged list cannot un-revoke anyone.
 */
public final class Revocations {
  private static final Logger log = LoggerFactory.getLogger(Revocations.class);
  private final Path file;
  private final X509Certificate ca;
  private RevocationList current;
  private FileTime seenModified;

  private Revocations(Path file, X509Certificate ca) {
    this.file = file;
    this.ca = ca;
  }

  /**
   * The list in file (none yet if there is no such file). A file that is present but not a
   * list of this CA stops the program here, naming the file.
   */
  public static Revocations at(Path file, X509Certificate ca) {
    Revocations r = new Revocations(file, ca);
    if (Files.exists(file)) {
      try {
        r.current = RevocationList.parse(Files.readAllBytes(file), ca);
        r.seenModified = Files.getLastModifiedTime(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the revocation list " + file, e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage());
      }
    }
    return r;
  }

  public Path file() {
    return file;
  }

  public synchronized Optional<RevocationList> current() {
    return Optional.ofNullable(current);
  }

  /** Why a certificate may no longer be used, or empty; looks at the file first if it changed. */
  public Optional<String> refusal(X509Certificate cert) {
    RevocationList list;
    synchronized (this) {
      reloadIfChanged();
      list = current;
    }
    return list == null ? Optional.empty() : list.refusal(cert);
  }

  /** Re-reads the file if it changed since it was last read; true when a newer list was adopted. */
  public synchronized boolean reloadIfChanged() {
    try {
      if (!Files.exists(file)) return false;
      FileTime modified = Files.getLastModifiedTime(file);
      if (modified.equals(seenModified)) return false;
      seenModified = modified;
      return take(RevocationList.parse(Files.readAllBytes(file), ca), "the file " + file);
    } catch (IOException | IllegalArgumentException e) {
      log.error("revocation list {} not applied, keeping the current one: {}", file, e.getMessage());
      return false;
    }
  }

  /**
   * A list relayed by someone else: adopted (and written to the file, durably) only if the CA
   * signed it and it is newer than the current one. True when adopted.
   */
  public synchronized boolean adopt(byte[] pemOrDer, String from) {
    RevocationList offered = RevocationList.parse(pemOrDer, ca);
    if (!take(offered, from)) return false;
    try {
      AtomicFile.write(file, offered.der());
      seenModified = Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the revocation list " + file, e);
    }
    return true;
  }

  private boolean take(RevocationList offered, String from) {
    if (current != null && offered.number().compareTo(current.number()) <= 0) return false;
    log.info("revocation list number {} from {} applied: {} revoked certificate(s)", offered.number(), from, offered.size());
    offered.nextUpdate().filter(due -> due.isBefore(java.time.Instant.now())).ifPresent(due -> log.warn(
        "revocation list number {} was due to be replaced on {}: the administrator should sign a new one (consilium provision crl)",
        offered.number(), due));
    current = offered;
    return true;
  }
}
