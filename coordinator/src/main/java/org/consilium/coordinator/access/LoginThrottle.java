package org.consilium.coordinator.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@code maxFailures} failed logins for one user name within
 * the lockout period, further attempts for that name are refused until the period has passed
 * since the last failure. A success clears the count.
 */
public final class LoginThrottle {
  private record Failures(int count, Instant last) {}

  private final Map<String, Failures> failures = new ConcurrentHashMap<>();
  private final int maxFailures;
  private final Duration lockout;
  private final Clock clock;

  public LoginThrottle(int maxFailures, Duration lockout, Clock clock) {
    if (maxFailures < 1) throw new IllegalArgumentException("maxFailures must be at least 1");
    this.maxFailures = maxFailures;
    this.lockout = lockout;
    this.clock = clock;
  }

  /** How long the name is still locked out; zero if it may try now. */
  public Duration lockedFor(String name) {
    Failures f = failures.get(name);
    if (f == null || f.count < maxFailures) return Duration.ZERO;
    Duration left = Duration.between(clock.instant(), f.last.plus(lockout));
    return left.isNegative() ? Duration.ZERO : left;
  }

  public void failed(String name) {
    Instant now = clock.instant();
    failures.compute(name, (k, f) -> f == null || !now.isBefore(f.last.plus(lockout)) ? new Failures(1, now) : new Failures(f.count + 1, now));
  }

  public void succeeded(String name) {
    failures.remove(name);
  }
}
