package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.consilium.simulations.bench.AdversarialHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adversarial harness, short: every attack runs, and after each the consortium still works. */
class AdversarialHarnessTest {
  @TempDir
  Path work;

  @Test
  void aStolenMemberCertificateCannotExhaustOrCrashTheCoordinator() throws Exception {
    try (LocalConsortium c = LocalConsortium.start(AdversarialHarness.options(work))) {
      AdversarialHarness h = new AdversarialHarness(c, "cleveland");
      AdversarialHarness.Outcome deaf = h.neverReads(java.time.Duration.ofSeconds(20));
      assertEquals(1, deaf.closedByServer(), "a peer that never reads is dropped within 20 s instead of buffered for: " + deaf);
      for (AdversarialHarness.Outcome o : new AdversarialHarness.Outcome[] {h.fuzz(3_000), h.fuzzAfterHello(3_000), h.oversized(5), h.idle(12), deaf}) {
        assertTrue(o.jobReleased(), "a DP job is still released after: " + o);
        assertEquals(4, o.nodesOnline(), "every node is still online after: " + o);
        assertTrue(!Double.isNaN(o.healthMs()), "/health answers after: " + o);
      }
      AdversarialHarness.Outcome oversized = h.oversized(3);
      assertEquals(3, oversized.closedByServer(), "each 1 MiB announcement before HELLO is refused and closed: " + oversized);
      AdversarialHarness.Outcome idle = h.idle(8);
      assertEquals(8, idle.closedByServer(), "idle connections are refused past the limit or closed at the deadline: " + idle);
    }
  }
}
