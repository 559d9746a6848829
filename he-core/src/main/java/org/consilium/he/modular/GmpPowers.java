package org.consilium.he.modular;

import com.sun.jna.Memory;
import java.math.BigInteger;
import java.util.List;

/** {@link PublicExponentiation} by GMP's {@code mpz_powm}, through {@link Gmp}'s binding. */
final class GmpPowers implements PublicExponentiation {
  static final GmpPowers INSTANCE = new GmpPowers(Gmp.INSTANCE);
  private final Gmp gmp;

  private GmpPowers(Gmp gmp) {
    this.gmp = gmp;
  }

  @Override
  public BigInteger pow(BigInteger base, BigInteger exponent, BigInteger modulus) {
    return product(List.of(base), new BigInteger[] {exponent}, modulus);
  }

  @Override
  public BigInteger product(List<BigInteger> bases, BigInteger[] exponents, BigInteger modulus) {
    if (modulus.signum() <= 0 || !modulus.testBit(0)) throw new IllegalArgumentException("the modulus must be positive and odd");
    if (bases.size() != exponents.length) {
      throw new IllegalArgumentException(bases.size() + " bases but " + exponents.length + " exponents");
    }
    for (BigInteger e : exponents) if (e.signum() < 0) throw new IllegalArgumentException("an exponent must not be negative");
    Gmp.Lib lib = gmp.lib();
    Memory acc = gmp.mpz();
    Memory power = gmp.mpz();
    Memory base = gmp.mpz();
    Memory exponent = gmp.mpz();
    Memory m = gmp.mpz();
    try {
      gmp.set(acc, BigInteger.ONE.mod(modulus));
      gmp.set(m, modulus);
      for (int j = 0; j < exponents.length; j++) {
        gmp.set(base, bases.get(j).mod(modulus));
        gmp.set(exponent, exponents[j]);
        lib.__gmpz_powm(power, base, exponent, m);
        lib.__gmpz_mul(acc, acc, power);
        lib.__gmpz_mod(acc, acc, m);
      }
      return gmp.get(acc);
    } finally {
      for (Memory x : new Memory[] {acc, power, base, exponent, m}) lib.__gmpz_clear(x);
    }
  }
}
