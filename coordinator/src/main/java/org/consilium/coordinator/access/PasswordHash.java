package org.consilium.coordinator.access;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes for console users: PBKDF2-HMAC-SHA256 with a 16-byte random salt and 600,000
 * iterations (OWASP's 2023 figure), encoded as {@code pbkdf2-sha256$iterations$salt$hash} in
 * unpadded Base64. The JDK has it everywhere, so a hash made at provisioning verifies on any
 * coordinator. Verification compares in constant time.
 */
public final class PasswordHash {
  static final int ITERATIONS = 600_000;
  private static final int MIN_ITERATIONS = 1_000;
  private static final String PREFIX = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;

  private PasswordHash() {}

  /** A new hash of the password with a fresh salt. */
  public static String create(char[] password) {
    return create(password, ITERATIONS, new SecureRandom());
  }

  /** With fewer iterations: for tests only (the parser refuses fewer than 1,000). */
  static String create(char[] password, int iterations, SecureRandom rng) {
    if (password.length < 12) throw new IllegalArgumentException("a console password must have at least 12 characters");
    byte[] salt = new byte[SALT_BYTES];
    rng.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(derive(password, salt, iterations));
  }

  /** True if the password matches the encoded hash. */
  public static boolean verify(char[] password, String encoded) {
    Parsed p = parse(encoded);
    return MessageDigest.isEqual(p.hash, derive(password, p.salt, p.iterations));
  }

  /** Checks the format; the message names what is wrong. */
  public static void validate(String encoded) {
    parse(encoded);
  }

  private record Parsed(int iterations, byte[] salt, byte[] hash) {}

  private static Parsed parse(String encoded) {
    String[] parts = encoded == null ? new String[0] : encoded.split("\\$");
    if (parts.length != 4 || !parts[0].equals(PREFIX)) {
      throw new IllegalArgumentException("a password hash must look like " + PREFIX + "$iterations$salt$hash");
    }
    try {
      int iterations = Integer.parseInt(parts[1]);
      if (iterations < MIN_ITERATIONS) throw new IllegalArgumentException("a password hash needs at least " + MIN_ITERATIONS + " iterations");
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] hash = Base64.getDecoder().decode(parts[3]);
      if (salt.length < SALT_BYTES || hash.length != HASH_BITS / 8) throw new IllegalArgumentException("a password hash has a short salt or hash");
      return new Parsed(iterations, salt, hash);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a password hash's iteration count is not a number");
    }
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } finally {
      spec.clearPassword();
    }
  }
}
