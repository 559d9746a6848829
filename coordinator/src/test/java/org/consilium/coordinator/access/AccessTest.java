package org.consilium.coordinator.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Console accounts, password hashes, sessions and the sign-in throttle, with a clock the test moves. */
class AccessTest {
  private static final SecureRandom RNG = new SecureRandom();

  private static String hash(String password) {
    return PasswordHash.create(password.toCharArray(), 1_000, RNG);
  }

  @Test
  void passwordHashesVerifyOnlyTheirPasswordAndAreSalted() {
    String a = hash("correct horse battery");
    String b = hash("correct horse battery");
    assertNotEquals(a, b, "two hashes of one password differ (random salt)");
    assertTrue(PasswordHash.verify("correct horse battery".toCharArray(), a));
    assertFalse(PasswordHash.verify("correct horse batterY".toCharArray(), a));
    assertTrue(a.startsWith("pbkdf2-sha256$1000$"), a);
  }

  @Test
  void theDefaultHashUsesSixHundredThousandIterations() {
    String h = PasswordHash.create("a long enough password".toCharArray());
    assertEquals("600000", h.split("\\$")[1], "OWASP's PBKDF2-HMAC-SHA256 figure");
  }

  @Test
  void malformedHashesAndShortPasswordsAreRefusedWithTheReason() {
    assertThrows(IllegalArgumentException.class, () -> PasswordHash.create("short".toCharArray()));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PasswordHash.validate("md5$abc")).getMessage().contains("pbkdf2-sha256$"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PasswordHash.validate("pbkdf2-sha256$10$AAAAAAAAAAAAAAAAAAAAAA$AAAA"))
        .getMessage().contains("iterations"));
  }

  @Test
  void theUsersFileRoundTripsAndAuthenticatesByNameAndPassword(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("console-users.yaml");
    Files.writeString(file, UserStore.yaml(List.of(new ConsoleUser("alice", Role.ANALYST, hash("alice's long password")),
        new ConsoleUser("root", Role.ADMIN, hash("root's long password!")))));
    UserStore users = UserStore.load(file);
    assertEquals(Role.ANALYST, users.authenticate("alice", "alice's long password".toCharArray()).orElseThrow().role());
    assertTrue(users.authenticate("alice", "root's long password!".toCharArray()).isEmpty(), "another user's password");
    assertTrue(users.authenticate("nobody", "alice's long password".toCharArray()).isEmpty(), "an unknown name");
    assertFalse(Files.readString(file).contains("long password"), "the file holds hashes only");
  }

  @Test
  void aBrokenUsersFileNamesTheEntryAndTheProblem(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("users.yaml");
    Files.writeString(file, "users:\n  - name: bob\n    role: superuser\n    password: \"" + hash("bob's long password") + "\"\n");
    String msg = assertThrows(IllegalArgumentException.class, () -> UserStore.load(file)).getMessage();
    assertTrue(msg.contains("users[0]") && msg.contains("superuser"), msg);
    Files.writeString(file, "users:\n  - name: bob\n    role: admin\n    password: \"" + hash("bob's long password") + "\"\n"
        + "  - name: bob\n    role: analyst\n    password: \"" + hash("bob's long password") + "\"\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> UserStore.load(file)).getMessage().contains("twice"));
    Files.writeString(file, "users:\n  - name: Bob Smith\n    role: admin\n    password: x\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> UserStore.load(file)).getMessage().contains("user name"));
  }

  @Test
  void sessionsEndAfterIdleTimeMaximumAgeOrLogout() {
    TestClock clock = new TestClock();
    Sessions sessions = new Sessions(Duration.ofMinutes(30), Duration.ofHours(12), clock);
    ConsoleUser alice = new ConsoleUser("alice", Role.ANALYST, hash("alice's long password"));

    Sessions.Opened s = sessions.open(alice);
    assertEquals("alice", sessions.use(s.token()).orElseThrow().user());
    clock.advance(Duration.ofMinutes(29));
    assertTrue(sessions.use(s.token()).isPresent(), "used within the idle time: still live, and the idle time restarts");
    clock.advance(Duration.ofMinutes(29));
    assertTrue(sessions.use(s.token()).isPresent());
    clock.advance(Duration.ofMinutes(30));
    assertTrue(sessions.use(s.token()).isEmpty(), "30 minutes without a request end the session");

    Sessions.Opened t = sessions.open(alice);
    for (int i = 0; i < 26; i++) { // 12.6 hours of use, never idle for 30 minutes
      clock.advance(Duration.ofMinutes(29));
      sessions.use(t.token());
    }
    assertTrue(sessions.use(t.token()).isEmpty(), "no session outlives 12 hours, however busy");

    Sessions.Opened u = sessions.open(alice);
    sessions.close(u.token());
    assertTrue(sessions.use(u.token()).isEmpty(), "logout ends it");
    assertTrue(sessions.use("a-guessed-token").isEmpty());
    assertNotEquals(u.token(), u.session().csrfToken(), "the CSRF token is not the cookie");
  }

  @Test
  void failedSignInsSlowTheGuesserWithADoublingDelay() {
    TestClock clock = new TestClock();
    LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(5), clock);
    for (int i = 0; i < 3; i++) {
      assertEquals(Duration.ZERO, throttle.lockedFor("alice", "10.0.0.9"), "attempt " + (i + 1) + " is allowed");
      throttle.failed("alice", "10.0.0.9");
    }
    assertEquals(Duration.ofSeconds(1), throttle.lockedFor("alice", "10.0.0.9"), "after 3 failures: 1 s");
    clock.advance(Duration.ofSeconds(1));
    throttle.failed("alice", "10.0.0.9");
    assertEquals(Duration.ofSeconds(2), throttle.lockedFor("alice", "10.0.0.9"), "then 2 s, doubling");
    for (int i = 0; i < 12; i++) throttle.failed("alice", "10.0.0.9");
    assertEquals(Duration.ofMinutes(5), throttle.lockedFor("alice", "10.0.0.9"), "at most the lockout period");
    clock.advance(Duration.ofMinutes(5));
    throttle.failed("alice", "10.0.0.9");
    assertEquals(Duration.ZERO, throttle.lockedFor("alice", "10.0.0.9"), "old failures have expired: this is the first of a new count");
    throttle.succeeded("alice", "10.0.0.9");
    assertEquals(Duration.ZERO, throttle.lockedFor("alice", "10.0.0.9"));
  }

  @Test
  void aGuesserElsewhereCannotLockTheRightfulUserOut() {
    TestClock clock = new TestClock();
    LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(5), clock);
    for (int i = 0; i < 40; i++) throttle.failed("admin", "203.0.113.66");
    assertEquals(Duration.ofMinutes(5), throttle.lockedFor("admin", "203.0.113.66"), "the guesser waits the full period");
    Duration rightful = throttle.lockedFor("admin", "10.1.2.3");
    assertTrue(rightful.compareTo(LoginThrottle.NAME_DELAY_CAP) <= 0, "the real admin elsewhere waits seconds at most: " + rightful);
    clock.advance(LoginThrottle.NAME_DELAY_CAP);
    assertEquals(Duration.ZERO, throttle.lockedFor("admin", "10.1.2.3"), "and then may sign in");
    // Guessing many names from one address is slowed by address.
    for (int i = 0; i < 20; i++) throttle.failed("user" + i, "198.51.100.7");
    assertTrue(throttle.lockedFor("someone-else", "198.51.100.7").compareTo(Duration.ZERO) > 0, "one address guessing many names");
  }

  @Test
  void theThrottleForgetsOldFailuresAndStaysBounded() {
    TestClock clock = new TestClock();
    LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(5), clock);
    String longName = "x".repeat(500);
    for (int i = 0; i < LoginThrottle.MAX_ENTRIES; i++) throttle.failed(longName + i, "10.0.0." + (i % 200));
    assertTrue(throttle.size() <= LoginThrottle.MAX_ENTRIES, "never more than the cap: " + throttle.size());
    clock.advance(Duration.ofMinutes(6));
    for (int i = 0; i < LoginThrottle.MAX_ENTRIES / 2; i++) throttle.failed("late" + i, "10.9.9.9");
    assertTrue(throttle.size() < LoginThrottle.MAX_ENTRIES, "expired entries are pruned: " + throttle.size());
  }

  @Test
  void rolesIncludeWhatTheyShould() {
    assertTrue(Role.ADMIN.includes(Role.ANALYST));
    assertFalse(Role.ANALYST.includes(Role.ADMIN));
    assertEquals(Role.ADMIN, Role.parse("admin"));
    assertThrows(IllegalArgumentException.class, () -> Role.parse("Admin"));
  }
}
