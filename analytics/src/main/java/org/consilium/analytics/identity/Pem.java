package org.consilium.analytics.identity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/** Reads the PEM files of a startup kit. */
public final class Pem {
  private Pem() {}

  public static X509Certificate certificate(Path file) {
    try {
      return certificate(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read certificate " + file + ": " + e.getMessage());
    }
  }

  public static X509Certificate certificate(byte[] pemOrDer) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pemOrDer));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an X.509 certificate: " + e.getMessage());
    }
  }

  public static PrivateKey privateKey(Path file) {
    try {
      String text = Files.readString(file);
      String b64 = text.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot read PKCS#8 EC private key " + file + ": " + e.getMessage());
    }
  }
}
