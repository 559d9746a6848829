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
 * The table is a map the caller chooses: the cluster's, so that a session opened on one
 * coordinator instance is valid on every other and survives the loss of the one it was opened on.
 */
public final class Sessions {
  /** A live session; csrfToken is what unsafe requests must carry. */
  public record Session(String user, Role role, String csrfToken, Instant created, Instant expiresAt) implements java.io.Serializable {}

  /** What a login returns: the cookie value (shown to nobody else) and the session. */
  public record Opened(String token, Session session) {}

  /** What the table holds per token digest. */
  public record Entry(Session session, Instant lastUsed) implements java.io.Serializable {}

  private final java.util.concurrent.ConcurrentMap<String, Entry> byDigest;
  private final Duration idle;
  private final Duration maxAge;
  private final Clock clock;
  private final SecureRandom rng = new SecureRandom();

  /** Sessions in this process only (tests, a single instance). */
  public Sessions(Duration idle, Duration maxAge, Clock clock) {
    this(new ConcurrentHashMap<>(), idle, maxAge, clock);
  }

  /** Sessions kept in the given table (the cluster's, shared by every coordinator instance). */
  public Sessions(java.util.concurrent.ConcurrentMap<String, Entry> table, Duration idle, Duration maxAge, Clock clock) {
    this.byDigest = table;
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
    // Entry by entry: a cluster map's views are copies, so removal goes through the map.
    for (Map.Entry<String, Entry> e : Map.copyOf(byDigest).entrySet()) {
      if (expired(e.getValue(), now)) byDigest.remove(e.getKey(), e.getValue());
    }
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
