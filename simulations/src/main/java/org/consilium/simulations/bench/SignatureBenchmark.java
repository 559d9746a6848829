package org.consilium.simulations.bench;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Date;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.consilium.analytics.identity.Signatures;

/**
 * Benchmark harness (not a test): ECDSA P-256 verification of a protocol message's signature,
 * as every party does n times per aggregation, through {@code Signatures.verify} (Bouncy
 * Castle) against the JDK's SunEC provider (what it used before), same keys and messages, same
 * process. Prints microseconds per verification (min and median of the repeats) and the ratio.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.SignatureBenchmark [VERIFICATIONS REPEATS]</pre>
 */
public final class SignatureBenchmark {
  private SignatureBenchmark() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    KeyPair k = g.generateKeyPair();
    X500Name name = new X500Name("CN=alpha,OU=node,O=bench");
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
        new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 3_600_000), name, k.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate())));
    byte[] message = new byte[200];
    new SecureRandom().nextBytes(message);
    byte[] sig = Signatures.sign(k.getPrivate(), message);
    double[] bc = new double[repeats];
    double[] jdk = new double[repeats];
    int ok = 0;
    for (int r = -2; r < repeats; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < count; i++) if (Signatures.verify(cert, message, sig)) ok++;
      long t1 = System.nanoTime();
      for (int i = 0; i < count; i++) {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initVerify(cert.getPublicKey());
        s.update(message);
        if (s.verify(sig)) ok++;
      }
      long t2 = System.nanoTime();
      if (r >= 0) {
        bc[r] = (t1 - t0) / 1e3 / count;
        jdk[r] = (t2 - t1) / 1e3 / count;
      }
    }
    if (ok != 2 * count * (repeats + 2)) throw new IllegalStateException("a verification failed");
    Arrays.sort(bc);
    Arrays.sort(jdk);
    System.out.printf(Locale.ROOT, "ECDSA P-256 verification, %d per repeat, Java %s%n", count, Runtime.version());
    System.out.printf(Locale.ROOT, "  Signatures.verify (Bouncy Castle) min %7.1f us  median %7.1f us%n", bc[0], bc[repeats / 2]);
    System.out.printf(Locale.ROOT, "  JDK SunEC                         min %7.1f us  median %7.1f us%n", jdk[0], jdk[repeats / 2]);
    System.out.printf(Locale.ROOT, "  speed-up (median): %.1fx%n", jdk[repeats / 2] / bc[repeats / 2]);
  }
}
