package org.consilium.mpc.secagg;

/**
 * Signs this party's advertised keys and verifies other parties' signatures, with the long-term
 * identity keys the deployment provides (in Consilium: the node certificates issued by the
 * consortium CA). This is what stops a relaying server from substituting its own keys.
 */
public interface PeerAuthenticator extends SignatureCheck {
  byte[] sign(byte[] message);
}
