package org.consilium.coordinator.access;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.consilium.analytics.identity.Digests;

/**
 * Console sessions. A login gets a random 256-bit token (sent as an HttpOnly, Secure,
 * SameSite=Strict cookie) and a separate CSRF token the page echoes in a header on every
 * change. A session ends after {@code idle} without a request, after {@code maxAge} in any case,
 * or at logout. Only SHA-256 digests of tokens are kept, so the table itself grants nothing.
 * Sessions are local to one coordinator instance: after a failover users log in again.
 */
public final class Sessions {
  /** A live session; csrfToken is what unsafe requests must carry. */
  public record Session(String user, Role role, String csrfToken, Instant created, Instant expiresAt) {}

  /** What a login returns: the cookie value (shown to nobody else) and the session. */
  public record Opened(String token, Session session) {}

  private record Entry(Session session, Instant lastUsed) {}

  private final Map<String, Entry> byDigest = new ConcurrentHashMap<>();
  private final Duration idle;
  private final Duration maxAge;
  private final Clock clock;
  private final SecureRandom rng = new SecureRandom();

  public Sessions(Duration idle, Duration maxAge, Clock clock) {
    this.idle = idle;
    this.maxAge = maxAge;
    this.clock = clock;
  }

  public Opened open(ConsoleUser user) {
    purge();
    Instant now = clock.instant();
    String token = randomToken();
    Session s = new Session(user.name(), user.role(), randomToken(), now, now.plus(maxAge));
    byDigest.put(digest(token), new Entry(s, now));
    return new Opened(token, s);
  }

  /** The live session for a cookie value, marking it used; empty if unknown or expired. */
  public Optional<Session> use(String token) {
    if (token == null || token.isEmpty()) return Optional.empty();
    String key = digest(token);
    Instant now = clock.instant();
    Entry e = byDigest.computeIfPresent(key, (k, old) -> expired(old, now) ? null : new Entry(old.session, now));
    return e == null ? Optional.empty() : Optional.of(e.session);
  }

  /** True while the session is live, without counting as use (for long-lived event streams). */
  public boolean isLive(String token) {
    if (token == null) return false;
    Entry e = byDigest.get(digest(token));
    return e != null && !expired(e, clock.instant());
  }

  public void close(String token) {
    if (token != null) byDigest.remove(digest(token));
  }

  public Duration idleTimeout() {
    return idle;
  }

  private boolean expired(Entry e, Instant now) {
    return !now.isBefore(e.session.expiresAt()) || !now.isBefore(e.lastUsed.plus(idle));
  }

  private void purge() {
    Instant now = clock.instant();
    byDigest.values().removeIf(e -> expired(e, now));
  }

  private static String digest(String token) {
    return Digests.sha256Hex(token.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  private String randomToken() {
    byte[] b = new byte[32];
    rng.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
