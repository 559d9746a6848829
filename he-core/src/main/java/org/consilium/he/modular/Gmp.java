package org.consilium.he.modular;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

/**
 * {@link SecretExponentiation} by GMP's {@code mpz_powm_sec} (documented by GMP as taking the
 * same time and memory accesses for any exponent of a given size), called through JNA on the
 * system's libgmp: the operating system's package, security-updated with it (on Debian,
 * libgmp10, which coreutils needs, so it is always there). 64-bit Linux and macOS (size_t is
 * a long there). The exponent's bytes are wiped after they are handed over; GMP's own limbs
 * are freed by {@code mpz_clear}.
 */
final class Gmp implements SecretExponentiation {
  static final Gmp INSTANCE = new Gmp();
  private static final int MPZ_SIZE = 16; // struct {int alloc; int size; mp_limb_t *d;} on LP64

  /** The few libgmp functions used (mpz_* are macros for these names). */
  interface Lib extends Library {
    void __gmpz_init(Pointer x);

    void __gmpz_clear(Pointer x);

    void __gmpz_import(Pointer rop, NativeLong count, int order, NativeLong size, int endian, NativeLong nails, byte[] op);

    Pointer __gmpz_export(Pointer rop, NativeLongByReference count, int order, NativeLong size, int endian, NativeLong nails, Pointer op);

    NativeLong __gmpz_sizeinbase(Pointer op, int base);

    void __gmpz_powm_sec(Pointer rop, Pointer base, Pointer exp, Pointer mod);

    void __gmpz_powm(Pointer rop, Pointer base, Pointer exp, Pointer mod);

    void __gmpz_mul(Pointer rop, Pointer op1, Pointer op2);

    void __gmpz_mod(Pointer r, Pointer n, Pointer d);
  }

  private final Lib lib;
  private final String version;

  private Gmp() {
    NativeLibrary gmp = library();
    this.lib = Native.load(gmp.getName(), Lib.class);
    String v;
    try {
      v = gmp.getGlobalVariableAddress("__gmp_version").getPointer(0).getString(0);
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      v = "unknown version";
    }
    this.version = v;
  }

  /** The system's libgmp: "gmp" where the development link is installed, else Debian's runtime name. */
  static NativeLibrary library() {
    return library(List.of("gmp", "libgmp.so.10"));
  }

  /** The first of these libraries that loads; none loading is an error that says what to install. */
  static NativeLibrary library(List<String> names) {
    for (String name : names) {
      try {
        return NativeLibrary.getInstance(name);
      } catch (UnsatisfiedLinkError e) {
        // try the next name
      }
    }
    throw new IllegalStateException("GMP not found (tried " + String.join(", ", names) + "): threshold Paillier needs the system's"
        + " libgmp for its constant-time arithmetic (Debian and Ubuntu: libgmp10, Fedora: gmp, macOS: Homebrew's gmp)");
  }

  String version() {
    return version;
  }

  @Override
  public String implementation() {
    return "GMP " + version + " mpz_powm_sec";
  }

  @Override
  public BigInteger pow(BigInteger base, BigInteger exponent, BigInteger modulus) {
    if (modulus.signum() <= 0 || !modulus.testBit(0)) throw new IllegalArgumentException("the modulus must be positive and odd");
    if (exponent.signum() < 0) throw new IllegalArgumentException("the exponent must not be negative");
    if (exponent.signum() == 0) return BigInteger.ONE.mod(modulus);
    Memory r = mpz();
    Memory b = mpz();
    Memory e = mpz();
    Memory m = mpz();
    try {
      set(b, base.mod(modulus));
      set(e, exponent);
      set(m, modulus);
      lib.__gmpz_powm_sec(r, b, e, m);
      return get(r);
    } finally {
      for (Memory x : new Memory[] {r, b, e, m}) lib.__gmpz_clear(x);
    }
  }

  Lib lib() {
    return lib;
  }

  Memory mpz() {
    Memory x = new Memory(MPZ_SIZE);
    lib.__gmpz_init(x);
    return x;
  }

  void set(Pointer x, BigInteger value) {
    byte[] bytes = value.toByteArray();
    try {
      lib.__gmpz_import(x, new NativeLong(bytes.length), 1, new NativeLong(1), 1, new NativeLong(0), bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  BigInteger get(Pointer x) {
    long length = (lib.__gmpz_sizeinbase(x, 2).longValue() + 7) / 8;
    Memory out = new Memory(Math.max(1, length));
    NativeLongByReference count = new NativeLongByReference();
    lib.__gmpz_export(out, count, 1, new NativeLong(1), 1, new NativeLong(0), x);
    return new BigInteger(1, out.getByteArray(0, (int) count.getValue().longValue()));
  }
}
