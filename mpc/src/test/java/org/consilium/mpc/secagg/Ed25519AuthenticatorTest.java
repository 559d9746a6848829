package org.consilium.mpc.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The authenticator signs and verifies plain RFC 8032 Ed25519, interchangeable with the JDK's. */
class Ed25519AuthenticatorTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void signsRfc8032TestVector1() throws Exception {
    // RFC 8032, section 7.1, TEST 1 (the empty message).
    KeyPair pair = new KeyPair(
        KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(HEX.parseHex(
            "302a300506032b6570032100" + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))),
        KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(HEX.parseHex(
            "302e020100300506032b657004220420" + "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))));
    Ed25519Authenticator auth = new Ed25519Authenticator(pair, Map.of(1, pair.getPublic()));
    byte[] expected = HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    assertArrayEquals(expected, auth.sign(new byte[0]), "RFC 8032 test 1 signature");
    assertTrue(auth.verify(1, new byte[0], expected));
  }

  @Test
  void interoperatesWithTheJdkAndRefusesWhatIsWrong() throws Exception {
    KeyPair alice = Ed25519Authenticator.newIdentity();
    KeyPair bob = Ed25519Authenticator.newIdentity();
    Ed25519Authenticator a = new Ed25519Authenticator(alice, Map.of(1, alice.getPublic(), 2, bob.getPublic()));
    byte[] message = "advertised keys".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    Signature jdk = Signature.getInstance("Ed25519");
    jdk.initSign(bob.getPrivate());
    jdk.update(message);
    byte[] byJdk = jdk.sign();
    assertTrue(a.verify(2, message, byJdk), "a signature made by the JDK verifies");

    byte[] ours = a.sign(message);
    jdk.initVerify(alice.getPublic());
    jdk.update(message);
    assertTrue(jdk.verify(ours), "the JDK verifies ours");

    assertFalse(a.verify(1, message, byJdk), "bob's signature is not alice's");
    assertFalse(a.verify(3, message, ours), "an unknown party verifies nothing");
    byte[] tampered = ours.clone();
    tampered[5] ^= 1;
    assertFalse(a.verify(1, message, tampered), "a flipped bit is refused");
    assertFalse(a.verify(1, message, new byte[12]), "a short signature is refused, not thrown");
    assertFalse(a.verify(1, "other".getBytes(java.nio.charset.StandardCharsets.US_ASCII), ours), "another message is refused");
  }
}
