package org.consilium.analytics.identity;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * Signing with the JDK and verifying with Bouncy Castle agree, and verification refuses what it
 * must: another message, another key, a flipped bit, a non-canonical encoding, garbage.
 */
class SignaturesTest {
  private static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return g.generateKeyPair();
  }

  private static X509Certificate certificate(KeyPair k) throws Exception {
    X500Name name = new X500Name("CN=alpha,OU=node,O=test");
    return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
        new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 3_600_000), name, k.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate())));
  }

  @Test
  void whatTheJdkSignsVerifiesAndNothingElseDoes() throws Exception {
    KeyPair alpha = keys();
    X509Certificate cert = certificate(alpha);
    SecureRandom r = new SecureRandom();
    for (int trial = 0; trial < 50; trial++) {
      byte[] message = new byte[r.nextInt(200)];
      r.nextBytes(message);
      byte[] sig = Signatures.sign(alpha.getPrivate(), message);
      assertTrue(Signatures.verify(cert, message, sig), "a signature verifies with its key's certificate");
      byte[] other = Arrays.copyOf(message, message.length + 1);
      assertFalse(Signatures.verify(cert, other, sig), "not for another message");
      byte[] flipped = sig.clone();
      flipped[r.nextInt(flipped.length)] ^= (byte) (1 << r.nextInt(8));
      assertFalse(Signatures.verify(cert, message, flipped), "not with a bit flipped");
      assertFalse(Signatures.verify(cert, message, Arrays.copyOf(sig, sig.length + 1)), "not with a byte appended (non-canonical DER)");
    }
    byte[] m = "job-1 step 0".getBytes(StandardCharsets.UTF_8);
    assertFalse(Signatures.verify(certificate(keys()), m, Signatures.sign(alpha.getPrivate(), m)), "not with another key's certificate");
    assertFalse(Signatures.verify(cert, m, new byte[0]), "garbage is false, not an exception");
    assertFalse(Signatures.verify(cert, m, new byte[] {0x30, 0x02, 0x02, 0x00}), "garbage is false, not an exception");
  }
}
