package org.consilium.coordinator.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checks the administrator's bearer token against the SHA-256 digest kept in the coordinator's
 * config. The token is 256 random bits made at provisioning, so a plain digest is enough (no
 * dictionary to attack) and the comparison is constant-time. The token itself is never logged.
 */
public final class AdminCredential {
  private final byte[] expectedDigest;

  public AdminCredential(String sha256Hex) {
    this.expectedDigest = HexFormat.of().parseHex(sha256Hex);
  }

  public static String digestHex(String token) {
    return HexFormat.of().formatHex(digest(token));
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** True if the Authorization header carries the admin token as a Bearer credential. */
  public boolean accepts(String authorizationHeader) {
    if (authorizationHeader == null || !authorizationHeader.startsWith("Bearer ")) return false;
    return MessageDigest.isEqual(expectedDigest, digest(authorizationHeader.substring(7).strip()));
  }
}
