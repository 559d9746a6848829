package org.consilium.mpc.sharing;

/** More than t shares were given and they do not lie on one polynomial of degree t-1. */
public final class InconsistentSharesException extends IllegalArgumentException {
  public InconsistentSharesException(String message) {
    super(message);
  }
}
