package org.consilium.mpc.secagg;

/** Verifies a party's signature over a message with that party's long-term identity key. */
@FunctionalInterface
public interface SignatureCheck {
  boolean verify(int party, byte[] message, byte[] signature);
}
