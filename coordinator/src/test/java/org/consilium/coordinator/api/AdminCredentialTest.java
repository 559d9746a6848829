package org.consilium.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdminCredentialTest {
  @Test
  void acceptsOnlyTheBearerTokenWhoseDigestIsConfigured() {
    // Known answer: SHA-256("abc").
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", AdminCredential.digestHex("abc"));
    AdminCredential c = new AdminCredential(AdminCredential.digestHex("s3cret"));
    assertTrue(c.accepts("Bearer s3cret"));
    assertFalse(c.accepts("Bearer s3cre"));
    assertFalse(c.accepts("Basic s3cret"));
    assertFalse(c.accepts(null));
  }
}
