package org.consilium.mpc.secagg;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A {@link PeerAuthenticator} over Ed25519 identity keys known in advance (one key pair of
 * this party, the public keys of all), for in-process runs, tests and benchmarks. Consilium's
 * programs authenticate with the consortium certificates instead. Keys are JDK key objects;
 * signing and verifying use Bouncy Castle's RFC 8032 code, several times faster than the JDK's
 * on JDK 17 (a party verifies every peer's advertisement: see the module README).
 */
public final class Ed25519Authenticator implements PeerAuthenticator {
  private final byte[] secret;
  private final byte[] publicKey;
  private final Map<Integer, byte[]> peers = new HashMap<>();

  public Ed25519Authenticator(KeyPair self, Map<Integer, PublicKey> peers) {
    if (!(self.getPrivate() instanceof EdECPrivateKey sk) || sk.getBytes().isEmpty()) {
      throw new IllegalArgumentException("an Ed25519 private key is needed, got " + self.getPrivate().getAlgorithm());
    }
    this.secret = sk.getBytes().get();
    this.publicKey = raw(self.getPublic());
    peers.forEach((party, key) -> this.peers.put(party, raw(key)));
  }

  public static KeyPair newIdentity() {
    try {
      return java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 unavailable", e);
    }
  }

  /** The 32-byte RFC 8032 encoding: the tail of the key's X.509 SubjectPublicKeyInfo. */
  private static byte[] raw(PublicKey key) {
    byte[] spki = key.getEncoded();
    if (!"EdDSA".equals(key.getAlgorithm()) && !"Ed25519".equals(key.getAlgorithm()) || spki.length != 44) {
      throw new IllegalArgumentException("an Ed25519 public key is needed, got " + key.getAlgorithm());
    }
    return Arrays.copyOfRange(spki, spki.length - Ed25519.PUBLIC_KEY_SIZE, spki.length);
  }

  @Override
  public byte[] sign(byte[] message) {
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(secret, 0, publicKey, 0, message, 0, message.length, signature, 0);
    return signature;
  }

  @Override
  public boolean verify(int party, byte[] message, byte[] signature) {
    byte[] key = peers.get(party);
    if (key == null || signature == null || signature.length != Ed25519.SIGNATURE_SIZE) return false;
    try {
      return Ed25519.verify(signature, 0, key, 0, message, 0, message.length);
    } catch (RuntimeException e) {
      return false; // a malformed key or signature
    }
  }
}
