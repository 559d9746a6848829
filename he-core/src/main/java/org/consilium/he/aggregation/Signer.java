package org.consilium.he.aggregation;

/** Signs with this party's long-term identity key (in Consilium: its certificate's key). */
@FunctionalInterface
public interface Signer {
  byte[] sign(byte[] message);
}
