package org.consilium.analytics.identity;

import java.util.List;
import java.util.Set;

/**
 * The TLS every Consilium connection accepts (node link, REST API and console): TLS 1.3, and TLS
 * 1.2 with forward-secret AEAD suites only. CBC suites with SHA-1 MACs and static RSA key
 * exchange are refused. Consortium certificates are ECDSA P-256, hence the ECDSA suites.
 */
public final class TlsPolicy {
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");
  public static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsPolicy() {}
}
