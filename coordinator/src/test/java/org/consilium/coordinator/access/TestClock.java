package org.consilium.coordinator.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock a test moves by hand, for sessions and the sign-in throttle. */
public final class TestClock extends Clock {
  private volatile Instant now = Instant.parse("2026-11-24T10:00:00Z");

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return now;
  }

  public void advance(Duration d) {
    now = now.plus(d);
  }
}
