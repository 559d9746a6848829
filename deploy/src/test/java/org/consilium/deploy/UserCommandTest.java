package org.consilium.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.consilium.coordinator.access.Role;
import org.consilium.coordinator.access.UserStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UserCommandTest {

  private static int run(String stdin, String... args) {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      return new CommandLine(new UserCommand()).execute(args);
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void addsResetsAndRemovesAUserKeepingOnlyHashes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("console-users.yaml");
    assertEquals(0, run("a long first password\n", "--users-file", file.toString(), "--name", "alice", "--role", "admin"));
    assertEquals(Role.ADMIN, UserStore.load(file).authenticate("alice", "a long first password".toCharArray()).orElseThrow().role());
    assertFalse(Files.readString(file).contains("a long first password"), "only the hash is written");

    assertEquals(0, run("a long second password\n", "--users-file", file.toString(), "--name", "alice"));
    UserStore reset = UserStore.load(file);
    assertTrue(reset.authenticate("alice", "a long first password".toCharArray()).isEmpty(), "the old password no longer works");
    assertEquals(Role.ANALYST, reset.authenticate("alice", "a long second password".toCharArray()).orElseThrow().role());

    assertEquals(0, run("", "--users-file", file.toString(), "--name", "alice", "--remove"));
    assertTrue(UserStore.load(file).isEmpty());
    assertEquals(1, run("", "--users-file", file.toString(), "--name", "alice", "--remove"), "removing a missing user is an error");
  }

  @Test
  void refusesAShortPasswordOrABadRoleWithoutTouchingTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("console-users.yaml");
    assertEquals(0, run("a long enough password\n", "--users-file", file.toString(), "--name", "bob"));
    String before = Files.readString(file);
    assertEquals(1, run("short\n", "--users-file", file.toString(), "--name", "carol"));
    assertEquals(1, run("a long enough password\n", "--users-file", file.toString(), "--name", "carol", "--role", "root"));
    assertEquals(before, Files.readString(file), "a refused change leaves the file as it was");
  }
}
