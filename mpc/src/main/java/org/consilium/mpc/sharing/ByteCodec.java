package org.consilium.mpc.sharing;

/**
 * Packs byte strings into field elements, 7 bytes (56 bits < 61) per element, so that keys and
 * seeds can be Shamir-shared. Package-private helpers are exposed through {@link SecretBytes}.
 */
final class ByteCodec {
  static final int BYTES_PER_ELEMENT = 7;

  private ByteCodec() {}

  static long[] toElements(byte[] bytes) {
    long[] out = new long[(bytes.length + BYTES_PER_ELEMENT - 1) / BYTES_PER_ELEMENT];
    for (int i = 0; i < bytes.length; i++) {
      out[i / BYTES_PER_ELEMENT] |= (bytes[i] & 0xFFL) << (8 * (i % BYTES_PER_ELEMENT));
    }
    return out;
  }

  static byte[] toBytes(long[] elements, int length) {
    if (elements.length * BYTES_PER_ELEMENT < length) {
      throw new IllegalArgumentException("too few elements for " + length + " bytes");
    }
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (elements[i / BYTES_PER_ELEMENT] >>> (8 * (i % BYTES_PER_ELEMENT)));
    }
    for (int i = 0; i < elements.length; i++) {
      int bitsUsed = 8 * Math.min(BYTES_PER_ELEMENT, length - i * BYTES_PER_ELEMENT);
      if (bitsUsed <= 0 || (elements[i] >>> bitsUsed) != 0) {
        throw new IllegalArgumentException("reconstructed element " + i + " does not encode bytes");
      }
    }
    return out;
  }
}
