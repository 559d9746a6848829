package org.consilium.coordinator.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.consilium.analytics.identity.Digests;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The consortium's members: each node id with the SHA-256 of the certificate it was provisioned
 * with. A certificate from the consortium CA is not enough to take part: its id must be a
 * member and its certificate the pinned one, so neither a new id nor a new key for an existing
 * id gets in without an administrator ({@link #rotate}, audited by the caller). Stored as
 * {@code members.yaml} in the coordinator kit; a rotation replaces the file atomically.
 */
public final class Members {
  private final Path file;
  private final Map<String, String> pinned;

  private Members(Path file, Map<String, String> pinned) {
    this.file = file;
    this.pinned = new TreeMap<>(pinned);
  }

  public static Members load(Path file) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the consortium members " + file, e);
    }
    if (!(root instanceof Map<?, ?> top) || !(top.get("members") instanceof Map<?, ?> members)) {
      throw new IllegalArgumentException(file + ": expected 'members:' mapping node ids to certificate SHA-256 digests");
    }
    Map<String, String> pinned = new TreeMap<>();
    members.forEach((id, digest) -> pinned.put(String.valueOf(id), requireDigest(String.valueOf(digest), file + ": member '" + id + "'")));
    return new Members(file, pinned);
  }

  /** The file's text for these members (what provisioning writes). */
  public static String yaml(Map<String, String> pinned) {
    StringBuilder s = new StringBuilder("# Consortium members: node id -> SHA-256 of its certificate (pinned at provisioning;\n"
        + "# an administrator rotates a key with POST /api/v1/nodes/ID/key).\nmembers:\n");
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
    Map<String, String> next = new TreeMap<>(pinned);
    next.put(id, newDigest);
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, yaml(next), StandardCharsets.UTF_8);
      try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the consortium members " + file, e);
    }
    pinned.put(id, newDigest);
    return previous;
  }

  public static String fingerprint(X509Certificate certificate) {
    try {
      return Digests.sha256Hex(certificate.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
