package org.consilium.analytics.identity;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a participant certificate has left, and the warning an operator gets from 30 days
 * before it expires (renewal: `consilium provision request`, then `consilium provision sign --renew`).
 */
public final class CertificateExpiry {
  /** From this many days before expiry a certificate is warned about (logs, console, metrics). */
  public static final int WARN_DAYS = 30;
  private static final Logger log = LoggerFactory.getLogger(CertificateExpiry.class);

  private CertificateExpiry() {}

  /** Whole days until the certificate expires (negative once it has). */
  public static long daysLeft(X509Certificate cert, Instant now) {
    return Math.floorDiv(Duration.between(now, cert.getNotAfter().toInstant()).toHours(), 24);
  }

  /** Logs a warning when the certificate expires within {@link #WARN_DAYS} days (an error once it has). */
  public static void warnIfNear(String what, X509Certificate cert) {
    long days = daysLeft(cert, Instant.now());
    if (days < 0) {
      log.error("{} ({}) expired on {}: renew it (consilium provision request, then sign --renew)", what, Participants.id(cert),
          cert.getNotAfter().toInstant());
    } else if (days <= WARN_DAYS) {
      log.warn("{} ({}) expires in {} days, on {}: renew it (consilium provision request, then sign --renew)", what,
          Participants.id(cert), days, cert.getNotAfter().toInstant());
    }
  }
}
