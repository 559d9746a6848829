package org.consilium.mpc.prg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Expands a 32-byte seed into a stream of 64-bit ring elements: AES-256 in counter mode over
 * zero bytes, starting from a zero counter. A seed is used for exactly one mask, so the fixed
 * IV is safe. AES-CTR uses the CPU's AES instructions through the JDK on every supported JDK
 * (ChaCha20 is faster only on JDK 21+; see the module README for the measurement).
 */
public final class MaskPrg {
  private static final int CHUNK = 64 * 1024;

  private MaskPrg() {}

  /** Adds sign * PRG(seed) into acc, element-wise modulo 2^64. */
  public static void accumulate(MaskSeed seed, long[] acc, int sign) {
    if (sign != 1 && sign != -1) throw new IllegalArgumentException("sign must be +1 or -1");
    try {
      Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed.bytes(), "AES"), new IvParameterSpec(new byte[16]));
      byte[] zeros = new byte[CHUNK];
      byte[] out = new byte[CHUNK];
      int i = 0;
      while (i < acc.length) {
        int words = Math.min(CHUNK / 8, acc.length - i);
        int n = c.update(zeros, 0, words * 8, out, 0);
        if (n != words * 8) throw new IllegalStateException("AES-CTR produced " + n + " bytes, expected " + words * 8);
        ByteBuffer buf = ByteBuffer.wrap(out, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        if (sign > 0) {
          for (int k = 0; k < words; k++) acc[i + k] += buf.getLong();
        } else {
          for (int k = 0; k < words; k++) acc[i + k] -= buf.getLong();
        }
        i += words;
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR unavailable", e);
    }
  }

  /** PRG(seed) of the given length, for tests and benchmarks. */
  public static long[] expand(MaskSeed seed, int length) {
    long[] out = new long[length];
    accumulate(seed, out, 1);
    return out;
  }
}
