package org.consilium.analytics.identity;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;

/** SHA256withECDSA with a participant's key, and its verification against a certificate: the one way Consilium signs. */
public final class Signatures {
  private static final String ALGORITHM = "SHA256withECDSA";

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
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initVerify(signer.getPublicKey());
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
