package org.consilium.he.modular;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * {@link SecretMultiplication} by GMP's side-channel silent mpn functions (documented as taking
 * the same steps and memory accesses for any operands of the same sizes): each factor is
 * multiplied in with {@code mpn_sec_mul} and the double-length product reduced with
 * {@code mpn_sec_div_r}. Bound to libgmp by JNA's direct mapping (static natives, JNA's
 * cheapest call: a value takes 64 of them). Every buffer that held a secret product is wiped.
 */
final class GmpMultiplication implements SecretMultiplication {
  static {
    Native.register(GmpMultiplication.class, Gmp.library());
  }

  private static native void __gmpn_sec_mul(Pointer rp, Pointer ap, long an, Pointer bp, long bn, Pointer tp);

  private static native long __gmpn_sec_mul_itch(long an, long bn);

  private static native void __gmpn_sec_div_r(Pointer np, long nn, Pointer dp, long dn, Pointer tp);

  private static native long __gmpn_sec_div_r_itch(long nn, long dn);

  private final BigInteger modulus;
  private final int limbs;
  /** The modulus' limbs in native memory, read-only once written. */
  private final Memory modulusLimbs;
  private final long mulScratch;
  private final long divScratch;

  GmpMultiplication(BigInteger modulus) {
    if (modulus.signum() <= 0 || !modulus.testBit(0)) throw new IllegalArgumentException("the modulus must be positive and odd");
    this.modulus = modulus;
    this.limbs = (modulus.bitLength() + 63) / 64;
    this.modulusLimbs = new Memory(8L * limbs);
    modulusLimbs.write(0, limbsOf(modulus, limbs), 0, limbs);
    this.mulScratch = Math.max(1, __gmpn_sec_mul_itch(limbs, limbs));
    this.divScratch = Math.max(1, __gmpn_sec_div_r_itch(2L * limbs, limbs));
  }

  @Override
  public int limbs() {
    return limbs;
  }

  @Override
  public long[] limbsOf(BigInteger value) {
    if (value.signum() < 0 || value.compareTo(modulus) >= 0) throw new IllegalArgumentException("a factor must be in [0, modulus)");
    return limbsOf(value, limbs);
  }

  @Override
  public BigInteger product(int count, Factors factors) {
    if (count < 1) throw new IllegalArgumentException("a product needs at least one factor, got " + count);
    long[] factor = new long[limbs];
    // Two double-length accumulators in turn: mpn_sec_mul must not write over its operands.
    Memory accumulator = new Memory(16L * limbs);
    Memory next = new Memory(16L * limbs);
    Memory operand = new Memory(8L * limbs);
    Memory mul = new Memory(8L * mulScratch);
    Memory div = new Memory(8L * divScratch);
    try {
      factors.write(0, factor);
      accumulator.write(0, factor, 0, limbs);
      for (int i = 1; i < count; i++) {
        factors.write(i, factor);
        operand.write(0, factor, 0, limbs);
        __gmpn_sec_mul(next, accumulator, limbs, operand, limbs, mul);
        __gmpn_sec_div_r(next, 2L * limbs, modulusLimbs, limbs, div); // the remainder is left in the low limbs
        Memory reduced = next;
        next = accumulator;
        accumulator = reduced;
      }
      accumulator.read(0, factor, 0, limbs);
      return bigInteger(factor);
    } finally {
      Arrays.fill(factor, 0);
      for (Memory m : new Memory[] {accumulator, next, operand, mul, div}) m.clear();
    }
  }

  @Override
  public String implementation() {
    return "GMP " + Gmp.INSTANCE.version() + " mpn_sec_mul, mpn_sec_div_r";
  }

  private static long[] limbsOf(BigInteger x, int limbs) {
    long[] out = new long[limbs];
    for (int i = 0; i < limbs; i++) out[i] = x.shiftRight(64 * i).longValue();
    return out;
  }

  private static BigInteger bigInteger(long[] a) {
    byte[] bytes = new byte[a.length * 8 + 1];
    for (int i = 0; i < a.length; i++) {
      long v = a[i];
      for (int b = 0; b < 8; b++) bytes[bytes.length - 1 - (i * 8 + b)] = (byte) (v >>> (8 * b));
    }
    try {
      return new BigInteger(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
