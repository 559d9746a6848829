package org.consilium.coordinator.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.consilium.analytics.durable.AtomicFile;
import org.consilium.analytics.identity.Digests;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The consortium's members: each node id with the SHA-256 of the certificate it was provisioned
 * with. A certificate from the consortium CA is not enough to take part: its id must be a
 * member and its certificate the pinned one, so neither a new id nor a new key for an existing
 * id gets in without an administrator ({@link #rotate}, audited by the caller). Stored as
 * {@code members.yaml} in the coordinator kit; a rotation replaces the file atomically, and
 * the file is re-read when an administrator changes it ({@link #reloadIfChanged}).
 */
public final class Members {
  private final Path file;
  private final Map<String, String> pinned;
  private java.nio.file.attribute.FileTime seenModified;

  private Members(Path file, Map<String, String> pinned) {
    this.file = file;
    this.pinned = new TreeMap<>(pinned);
  }

  /** What changed in the file since it was last read: ids added, removed, and given another certificate. */
  public record Change(java.util.Set<String> added, java.util.Set<String> removed, java.util.Set<String> repinned) {
    public boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty() && repinned.isEmpty();
    }
  }

  /**
   * Re-reads the file if it changed (an administrator added, renewed or revoked a member with
   * {@code consilium provision}); a file that no longer parses is not applied (the members stay
   * as they were) and the error is thrown, naming the file.
   */
  public synchronized Change reloadIfChanged() {
    java.util.Set<String> none = java.util.Set.of();
    try {
      var modified = Files.getLastModifiedTime(file);
      if (modified.equals(seenModified)) return new Change(none, none, none);
      Members now = load(file);
      seenModified = now.seenModified;
      java.util.Set<String> added = new java.util.TreeSet<>(now.pinned.keySet());
      added.removeAll(pinned.keySet());
      java.util.Set<String> removed = new java.util.TreeSet<>(pinned.keySet());
      removed.removeAll(now.pinned.keySet());
      java.util.Set<String> repinned = new java.util.TreeSet<>();
      now.pinned.forEach((id, d) -> {
        if (pinned.containsKey(id) && !pinned.get(id).equals(d)) repinned.add(id);
      });
      pinned.clear();
      pinned.putAll(now.pinned);
      return new Change(added, removed, repinned);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the consortium members " + file, e);
    }
  }

  public static Members load(Path file) {
    Object root;
    java.nio.file.attribute.FileTime modified;
    try {
      modified = Files.getLastModifiedTime(file);
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the consortium members " + file, e);
    }
    if (!(root instanceof Map<?, ?> top) || !(top.get("members") instanceof Map<?, ?> members)) {
      throw new IllegalArgumentException(file + ": expected 'members:' mapping node ids to certificate SHA-256 digests");
    }
    Map<String, String> pinned = new TreeMap<>();
    members.forEach((id, digest) -> pinned.put(String.valueOf(id), requireDigest(String.valueOf(digest), file + ": member '" + id + "'")));
    Members m = new Members(file, pinned);
    m.seenModified = modified;
    return m;
  }

  /** The file's text for these members (what provisioning writes). */
  public static String yaml(Map<String, String> pinned) {
    StringBuilder s = new StringBuilder("# Consortium members: node id -> SHA-256 of its certificate (pinned at provisioning;\n"
        + "# consilium provision sign adds or renews a member, consilium provision revoke removes one).\nmembers:\n");
    new TreeMap<>(pinned).forEach((id, digest) -> s.append("  ").append(id).append(": '").append(digest).append("'\n"));
    return s.toString();
  }

  static String requireDigest(String digest, String what) {
    if (!digest.matches("[0-9a-f]{64}")) throw new IllegalArgumentException(what + ": a certificate SHA-256 is 64 lower-case hex digits");
    return digest;
  }

  /** Why a certificate may not connect as a node, or empty when it is a member's pinned certificate. */
  public synchronized Optional<String> refusal(String id, X509Certificate certificate) {
    String expected = pinned.get(id);
    if (expected == null) return Optional.of("'" + id + "' is not a member of the consortium");
    String actual = fingerprint(certificate);
    if (!expected.equals(actual)) {
      return Optional.of("the certificate of '" + id + "' is not the one pinned for it (" + actual.substring(0, 12)
          + "... is not " + expected.substring(0, 12) + "...); an administrator must rotate its key");
    }
    return Optional.empty();
  }

  public synchronized boolean isMember(String id) {
    return pinned.containsKey(id);
  }

  /** Pins a new certificate for a member (durably, before it returns); returns the previous digest. */
  public synchronized String rotate(String id, String newDigest) {
    requireDigest(newDigest, "certificateSha256");
    String previous = pinned.get(id);
    if (previous == null) throw new IllegalArgumentException("'" + id + "' is not a member of the consortium");
    change(id, newDigest);
    return previous;
  }

  /** Makes id a member with this certificate (durably); refused if it is one already. */
  public synchronized void admit(String id, String digest) {
    requireDigest(digest, "certificateSha256");
    if (pinned.containsKey(id)) throw new IllegalArgumentException("'" + id + "' is already a member of the consortium");
    change(id, digest);
  }

  /** Ends id's membership (durably); false if it was not a member. */
  public synchronized boolean remove(String id) {
    if (!pinned.containsKey(id)) return false;
    change(id, null);
    return true;
  }

  private void change(String id, String digestOrNull) {
    Map<String, String> next = new TreeMap<>(pinned);
    if (digestOrNull == null) next.remove(id);
    else next.put(id, digestOrNull);
    try {
      AtomicFile.write(file, yaml(next).getBytes(StandardCharsets.UTF_8));
      seenModified = Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the consortium members " + file, e);
    }
    pinned.clear();
    pinned.putAll(next);
  }

  public static String fingerprint(X509Certificate certificate) {
    try {
      return Digests.sha256Hex(certificate.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
