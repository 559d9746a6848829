package org.consilium.mpc.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit nonce prepended to the ciphertext. Keys come from
 * {@link Hkdf} and are used for a handful of messages each, far below GCM's nonce bound.
 * The associated data binds a ciphertext to its session, sender and recipient, so that a
 * relay cannot replay it elsewhere.
 */
public final class Aead {
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private final SecretKeySpec key;

  public Aead(byte[] key) {
    if (key.length != 32) throw new IllegalArgumentException("AEAD key must be 32 bytes, was " + key.length);
    this.key = new SecretKeySpec(key, "AES");
  }

  public byte[] seal(byte[] plaintext, byte[] associatedData, SecureRandom rng) {
    try {
      byte[] nonce = new byte[NONCE];
      rng.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(associatedData);
      byte[] ct = c.doFinal(plaintext);
      byte[] out = new byte[NONCE + ct.length];
      System.arraycopy(nonce, 0, out, 0, NONCE);
      System.arraycopy(ct, 0, out, NONCE, ct.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** Decrypts and authenticates; throws {@link AeadException} if anything was altered. */
  public byte[] open(byte[] sealed, byte[] associatedData) {
    if (sealed.length < NONCE + TAG_BITS / 8) {
      throw new AeadException("ciphertext too short: " + sealed.length + " bytes");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE));
      c.updateAAD(associatedData);
      return c.doFinal(sealed, NONCE, sealed.length - NONCE);
    } catch (AEADBadTagException e) {
      throw new AeadException("authentication failed: ciphertext or associated data was altered");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** A ciphertext failed authentication. */
  public static final class AeadException extends RuntimeException {
    public AeadException(String message) {
      super(message);
    }
  }
}
