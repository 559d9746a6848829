package org.consilium.mpc.crypto;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/** HKDF-SHA256 (RFC 5869), used to turn raw key-agreement output into purpose-bound keys. */
public final class Hkdf {
  private Hkdf() {}

  public static byte[] derive(byte[] inputKey, byte[] salt, String purpose, byte[] context, int length) {
    byte[] label = purpose.getBytes(StandardCharsets.UTF_8);
    byte[] info = new byte[label.length + 1 + context.length];
    System.arraycopy(label, 0, info, 0, label.length);
    System.arraycopy(context, 0, info, label.length + 1, context.length);
    HKDFBytesGenerator gen = new HKDFBytesGenerator(new SHA256Digest());
    gen.init(new HKDFParameters(inputKey, salt, info));
    byte[] out = new byte[length];
    gen.generateBytes(out, 0, length);
    return out;
  }
}
