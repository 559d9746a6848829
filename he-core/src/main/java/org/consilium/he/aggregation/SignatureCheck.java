package org.consilium.he.aggregation;

/** Verifies a named party's signature with that party's long-term identity key. */
@FunctionalInterface
public interface SignatureCheck {
  boolean verify(String party, byte[] message, byte[] signature);
}
