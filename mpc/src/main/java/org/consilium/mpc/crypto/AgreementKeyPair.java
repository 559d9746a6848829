package org.consilium.mpc.crypto;

import java.security.SecureRandom;
import java.util.List;
import java.util.random.RandomGenerator;
import org.consilium.mpc.sharing.SecretBytes;
import org.consilium.mpc.sharing.ShamirShare;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * An X25519 key pair for Diffie-Hellman key agreement. The private scalar never leaves this
 * object except through {@link #privateKeyForSharing()}, which exists only so that the secure
 * aggregation protocol can Shamir-share it for dropout recovery.
 */
public final class AgreementKeyPair {
  private final byte[] privateKey;
  private final AgreementPublicKey publicKey;

  private AgreementKeyPair(byte[] privateKey) {
    this.privateKey = privateKey;
    byte[] pub = new byte[X25519.POINT_SIZE];
    X25519.generatePublicKey(privateKey, 0, pub, 0);
    this.publicKey = new AgreementPublicKey(pub);
  }

  public static AgreementKeyPair generate(SecureRandom rng) {
    byte[] sk = new byte[X25519.SCALAR_SIZE];
    rng.nextBytes(sk);
    return new AgreementKeyPair(sk);
  }

  /** Rebuilds a key pair from a private key reconstructed from Shamir shares. */
  public static AgreementKeyPair fromPrivateKey(byte[] privateKey) {
    if (privateKey.length != X25519.SCALAR_SIZE) {
      throw new IllegalArgumentException("X25519 private key must be 32 bytes, was " + privateKey.length);
    }
    return new AgreementKeyPair(privateKey.clone());
  }

  public AgreementPublicKey publicKey() {
    return publicKey;
  }

  /**
   * Shamir-shares the private key so that a threshold of peers can recover it if this party
   * drops out: one share per holder, in their order. This is the only way the private key leaves the object.
   */
  public List<ShamirShare> sharePrivateKey(SecretBytes scheme, java.util.SortedSet<Integer> holders, RandomGenerator rng) {
    return scheme.split(privateKey, holders, rng);
  }

  /**
   * The raw X25519 shared secret with a peer. Throws if the peer's key is a low-order point
   * (the result would be all zeros and known to everyone).
   */
  public byte[] agree(AgreementPublicKey peer) {
    byte[] out = new byte[X25519.POINT_SIZE];
    if (!X25519.calculateAgreement(privateKey, 0, peer.bytes(), 0, out, 0)) {
      throw new IllegalArgumentException("peer public key " + peer + " is a low-order point");
    }
    return out;
  }

  @Override
  public String toString() {
    return "AgreementKeyPair[" + publicKey + "]";
  }
}
