package org.consilium.coordinator.gateway;

import org.slf4j.Logger;

/**
 * A connection's warnings, the first few logged and the rest counted: a peer sending bad
 * frames by the thousand must not fill the disk with log lines. The count is logged once, when
 * the connection closes.
 */
final class RateLimitedLog {
  static final int LOGGED = 5;
  private final Logger log;
  private final String who;
  private int count;

  RateLimitedLog(Logger log, String who) {
    this.log = log;
    this.who = who;
  }

  void warn(String message) {
    if (++count <= LOGGED) log.warn("{}: {}", who, message);
  }

  void summary() {
    if (count > LOGGED) log.warn("{}: {} more warnings like the above were not logged", who, count - LOGGED);
  }
}
