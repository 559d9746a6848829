package org.consilium.analytics.identity;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.X509Certificate;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * SHA256withECDSA with a participant's key, and its verification against a certificate: the one
 * way Consilium signs. Signing uses the JDK's provider (its P-256 arithmetic is written to run in
 * constant time over the secret key); verification, which handles only public values and runs n
 * times per party per aggregation, uses Bouncy Castle's: 5x faster on JDK 17, 3x on JDK 25 (SignatureBenchmark).
 */
public final class Signatures {
  private static final String ALGORITHM = "SHA256withECDSA";
  /** Used for verification only, never registered globally. */
  private static final Provider VERIFIER = new BouncyCastleProvider();

  private Signatures() {}

  public static byte[] sign(PrivateKey key, byte[] message) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initSign(key);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the participant key", e);
    }
  }

  /** False for a wrong signature or any malformed input. */
  public static boolean verify(X509Certificate signer, byte[] message, byte[] signature) {
    return verify(signer.getPublicKey(), message, signature);
  }

  /** False for a wrong signature or any malformed input. */
  public static boolean verify(java.security.PublicKey signer, byte[] message, byte[] signature) {
    try {
      Signature s = Signature.getInstance(ALGORITHM, VERIFIER);
      s.initVerify(signer);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // BC reports some malformed encodings as runtime exceptions
    }
  }
}
