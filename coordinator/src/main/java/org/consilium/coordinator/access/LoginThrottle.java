package org.consilium.coordinator.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing without letting a guesser lock the rightful user out. Failures count
 * per (user name, client address), per client address across names, and per user name across
 * addresses. Past {@code maxFailures} for a (name, address) pair, or four times that for an
 * address, further attempts wait a delay that doubles with every failure, up to the lockout
 * period. Per name alone the delay is capped at {@link #NAME_DELAY_CAP}: a guesser elsewhere
 * slows the real user by seconds at most, never locks them out. A success clears the pair and
 * the name; entries older than the lockout period are pruned, and the table never holds more
 * than {@link #MAX_ENTRIES}.
 */
public final class LoginThrottle {
  static final Duration NAME_DELAY_CAP = Duration.ofSeconds(5);
  static final int MAX_ENTRIES = 10_000;
  private static final Duration FIRST_DELAY = Duration.ofSeconds(1);

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

  private static String pair(String name, String address) {
    return "pair\u0000" + name + "\u0000" + address;
  }

  private static String byAddress(String address) {
    return "address\u0000" + address;
  }

  private static String byName(String name) {
    return "name\u0000" + name;
  }

  /** How long this name may not try from this address; zero if it may try now. */
  public Duration lockedFor(String name, String address) {
    Duration wait = delay(failures.get(pair(name, address)), maxFailures, lockout);
    wait = max(wait, delay(failures.get(byAddress(address)), 4 * maxFailures, lockout));
    return max(wait, delay(failures.get(byName(name)), 2 * maxFailures, NAME_DELAY_CAP));
  }

  /** The delay after f's last failure: none up to free failures, then 1 s doubling per failure, at most cap. */
  private Duration delay(Failures f, int free, Duration cap) {
    if (f == null || f.count < free) return Duration.ZERO;
    int doublings = Math.min(30, f.count - free);
    Duration delay = FIRST_DELAY.multipliedBy(1L << doublings);
    if (delay.compareTo(cap) > 0) delay = cap;
    Duration left = Duration.between(clock.instant(), f.last.plus(delay));
    return left.isNegative() ? Duration.ZERO : left;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  public void failed(String name, String address) {
    Instant now = clock.instant();
    for (String key : new String[] {pair(name, address), byAddress(address), byName(name)}) {
      failures.compute(key, (k, f) -> f == null || !now.isBefore(f.last.plus(lockout)) ? new Failures(1, now) : new Failures(f.count + 1, now));
    }
    if (failures.size() > MAX_ENTRIES) prune(now);
  }

  public void succeeded(String name, String address) {
    failures.remove(pair(name, address));
    failures.remove(byName(name));
  }

  /** Drops entries whose last failure is older than the lockout, then the oldest down to three quarters of the cap. */
  private void prune(Instant now) {
    failures.entrySet().removeIf(e -> !now.isBefore(e.getValue().last.plus(lockout)));
    int keep = MAX_ENTRIES * 3 / 4;
    if (failures.size() > keep) {
      failures.entrySet().stream().sorted(Comparator.comparing(e -> e.getValue().last)).limit(failures.size() - keep)
          .map(Map.Entry::getKey).toList().forEach(failures::remove);
    }
  }

  int size() {
    return failures.size();
  }
}
