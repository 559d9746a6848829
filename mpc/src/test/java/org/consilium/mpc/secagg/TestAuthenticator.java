package org.consilium.mpc.secagg;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Map;

/** Ed25519 identity keys per party, standing in for the certificates a deployment provides. */
final class TestAuthenticator implements PeerAuthenticator {
  private final int self;
  private final Map<Integer, KeyPair> identities;

  TestAuthenticator(int self, Map<Integer, KeyPair> identities) {
    this.self = self;
    this.identities = identities;
  }

  static KeyPair newIdentity() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public byte[] sign(byte[] message) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(identities.get(self).getPrivate());
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean verify(int party, byte[] message, byte[] signature) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(identities.get(party).getPublic());
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
