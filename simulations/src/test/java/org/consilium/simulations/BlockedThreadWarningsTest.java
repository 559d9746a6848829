package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What makes a scenario fail at LocalConsortium.close: Vert.x's blocked-thread warning in a process's log. */
class BlockedThreadWarningsTest {
  /** The line Vert.x 5.1 writes through the processes' logback configuration (captured from a real blocked event loop). */
  private static final String WARNING = "2026-11-25T05:56:27.563Z WARN  [consilium] i.v.c.i.BlockedThreadChecker - "
      + "Thread vert.x-eventloop-thread-0 has been blocked for 2297 ms, time limit is 2000 ms";

  @Test
  void aWarningInAnyLogIsFoundAndNamesItsProcessUnlessTheProcessWasFrozenOnPurpose(@TempDir Path logs) throws Exception {
    Files.writeString(logs.resolve("coordinator.log"), "INFO started\n" + WARNING + "\n");
    Files.writeString(logs.resolve("cleveland.log"), "INFO node registered\n");
    Files.writeString(logs.resolve("hungarian.log"), WARNING + "\n");
    Files.writeString(logs.resolve("hungarian.out"), WARNING + "\n"); // stdout is not a log

    assertEquals(List.of("coordinator: " + WARNING, "hungarian: " + WARNING), LocalConsortium.blockedThreadWarnings(logs, Set.of()));
    assertEquals(List.of("coordinator: " + WARNING), LocalConsortium.blockedThreadWarnings(logs, Set.of("hungarian")),
        "a process frozen with SIGSTOP is blocked by design across the pause");
    assertEquals(List.of(), LocalConsortium.blockedThreadWarnings(logs.resolve("none"), Set.of()), "nothing launched, nothing found");
  }
}
