package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.JobResume;
import org.consilium.analytics.wire.MessageType;
import org.consilium.simulations.bench.AdversarialHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adversarial harness, short: every attack runs, and after each the consortium still works; stolen keys speak JOB_RESUME. */
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

  /**
   * A stolen key speaks JOB_RESUME. A participant's key claims that a newer coordinator instance
   * owns a running job (an epoch no owner ever had): the job is not stalled, the coordinator
   * keeps driving it. A member that is not in a job asks for it running, ended, or made up:
   * each answer is word for word that of a job that does not exist.
   */
  @Test
  void aStolenKeysJobResumeNeitherStallsAJobNorRevealsOne() throws Exception {
    LocalConsortium.Options base = AdversarialHarness.options(work);
    Map<String, Map<String, String>> nodes = new HashMap<>();
    base.nodeSettings().forEach((id, settings) -> {
      Map<String, String> m = new HashMap<>(settings);
      m.put("debug.round_delay_ms", "150"); // a training job runs for seconds: long enough to speak in the middle
      m.put("network.reconnect_seconds", "1");
      nodes.put(id, m);
    });
    try (LocalConsortium c = LocalConsortium.start(new LocalConsortium.Options(work, nodes, base.coordinatorSettings()))) {
      String running = c.submit(DefaultJob.dpTrainSpec("0.5", "[]"));
      awaitStep(c, running, 2);
      List<Frame> claimed = new AdversarialHarness(c, "cleveland").speakAsMember(Duration.ofSeconds(1), resume(running, Long.MAX_VALUE));
      assertTrue(claimed.stream().noneMatch(f -> f.getType() == MessageType.ERROR), "the claim is ignored, nothing refused: " + claimed);
      JsonObject job = c.awaitJob(running, Duration.ofMinutes(2));
      assertEquals("RELEASED", job.getString("status"), "the job was not stalled: " + job.encodePrettily());
      Path coordinatorLog = c.kits().coordinatorConfig().getParent().resolve("audit.log");
      assertTrue(Files.readAllLines(coordinatorLog).stream().noneMatch(l -> l.contains("\"job.handed_over\"")),
          "the coordinator did not hand the job over on a node's word");

      String threeSites = "[\"cleveland\", \"hungarian\", \"switzerland\"]";
      String ended = c.submit(DefaultJob.dpTrainSpec("0.5", threeSites));
      c.awaitJob(ended, Duration.ofMinutes(2));
      String inFlight = c.submit(DefaultJob.dpTrainSpec("0.5", threeSites));
      awaitStep(c, inFlight, 1);
      List<Frame> answers = new AdversarialHarness(c, "va-long-beach").speakAsMember(Duration.ofSeconds(2),
          resume(inFlight, 0), resume(ended, 0), resume("job-made-up", 0));
      assertEquals(3, answers.size(), "one answer per question: " + answers);
      for (int i = 0; i < 3; i++) {
        ErrorReport e = ErrorReport.parseFrom(answers.get(i).getPayload());
        String asked = answers.get(i).getJobId();
        assertEquals("unknown_job", e.getCode(), "job " + asked + ": " + e);
        assertEquals("no job '" + asked + "'", e.getMessage(), "the same words as for a job that does not exist");
      }
      assertEquals(List.of(inFlight, ended, "job-made-up"), answers.stream().map(Frame::getJobId).toList());
      assertEquals("RELEASED", c.awaitJob(inFlight, Duration.ofMinutes(2)).getString("status"), "the asking changed nothing");
    }
  }

  private static Frame resume(String jobId, long epoch) {
    return FrameCodec.frame(MessageType.JOB_RESUME, jobId, 0, JobResume.newBuilder().setEpoch(epoch).build());
  }

  private static void awaitStep(LocalConsortium c, String id, int step) {
    LocalConsortium.waitFor(Duration.ofSeconds(60), "job " + id + " to reach step " + step, () -> {
      JsonObject j = c.job(id);
      if (org.consilium.coordinator.state.JobStore.isFinal(j.getString("status"))) {
        throw new IllegalStateException("job " + id + " ended before the attack: " + j.encode());
      }
      return j.getInteger("step", 0) >= step;
    });
  }
}
