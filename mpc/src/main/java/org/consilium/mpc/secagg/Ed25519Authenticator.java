package org.consilium.mpc.secagg;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Map;

/**
 * A {@link PeerAuthenticator} over Ed25519 identity keys known in advance (one key pair of
 * this party, the public keys of all), for in-process runs, tests and benchmarks. Consilium's
 * programs authenticate with the consortium certificates instead.
 */
public final class Ed25519Authenticator implements PeerAuthenticator {
  private final KeyPair self;
  private final Map<Integer, PublicKey> peers;

  public Ed25519Authenticator(KeyPair self, Map<Integer, PublicKey> peers) {
    this.self = self;
    this.peers = Map.copyOf(peers);
  }

  public static KeyPair newIdentity() {
    try {
      return java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 unavailable", e);
    }
  }

  @Override
  public byte[] sign(byte[] message) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(self.getPrivate());
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign", e);
    }
  }

  @Override
  public boolean verify(int party, byte[] message, byte[] signature) {
    PublicKey key = peers.get(party);
    if (key == null) return false;
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
