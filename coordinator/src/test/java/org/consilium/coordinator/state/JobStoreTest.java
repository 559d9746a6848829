package org.consilium.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.JobState;
import org.consilium.analytics.wire.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fencing token: who may write a job's state, and who may take it over. */
class JobStoreTest {
  @TempDir
  Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static JobState state(String owner, long epoch, JobStatus status) {
    return JobState.newBuilder().setSpec(JobSpec.newBuilder().setJobId("job-1")).setOwner(owner).setEpoch(epoch).setStatus(status).build();
  }

  @Test
  void anOwnerWhoseJobWasTakenOverCanNoLongerWriteIt() throws Exception {
    try (ClusterState cluster = new ClusterState("fence", "127.0.0.1", freePort(), List.of(), dir.resolve("s"))) {
      JobStore store = new JobStore(cluster);
      assertTrue(store.write(state("a", 0, JobStatus.RUNNING)).toCompletableFuture().get(), "the first owner writes");
      assertTrue(store.write(state("a", 0, JobStatus.RUNNING).toBuilder().setStep(3).build()).toCompletableFuture().get(),
          "and writes again with its epoch");
      Optional<JobState> claimed = store.claim(store.read("job-1").orElseThrow(), "b").toCompletableFuture().get();
      assertEquals(1, claimed.orElseThrow().getEpoch(), "a takeover raises the epoch");
      assertEquals(3, claimed.get().getStep(), "and continues from the stored state");
      assertFalse(store.write(state("a", 0, JobStatus.RELEASED)).toCompletableFuture().get(),
          "the old owner's write (a release, say) is refused: its epoch is older");
      assertEquals(JobStatus.RUNNING, store.read("job-1").orElseThrow().getStatus(), "and nothing of it was stored");
      assertTrue(store.write(claimed.get().toBuilder().setStatus(JobStatus.RELEASED).build()).toCompletableFuture().get(),
          "the new owner writes");
    }
  }

  @Test
  void ofTwoInstancesClaimingTheSameJobOneWins() throws Exception {
    try (ClusterState cluster = new ClusterState("claims", "127.0.0.1", freePort(), List.of(), dir.resolve("c"))) {
      JobStore store = new JobStore(cluster);
      store.write(state("gone", 4, JobStatus.RUNNING)).toCompletableFuture().get();
      JobState seen = store.read("job-1").orElseThrow();
      Optional<JobState> first = store.claim(seen, "b").toCompletableFuture().get();
      Optional<JobState> second = store.claim(seen, "c").toCompletableFuture().get();
      assertTrue(first.isPresent() ^ second.isPresent(), "exactly one claim on the same seen state wins");
      assertEquals("b", store.read("job-1").orElseThrow().getOwner());
    }
  }

  @Test
  void orphansAreTheRunningJobsOfInstancesNoLongerInTheCluster() throws Exception {
    try (ClusterState cluster = new ClusterState("orphans", "127.0.0.1", freePort(), List.of(), dir.resolve("o"))) {
      JobStore store = new JobStore(cluster);
      store.write(state("gone", 0, JobStatus.RUNNING)).toCompletableFuture().get();
      assertEquals(List.of("job-1"), store.orphans(Set.of(cluster.memberId())).stream().map(s -> s.getSpec().getJobId()).toList());
      assertEquals(List.of(), store.orphans(Set.of("gone")), "a job whose owner is live is nobody's to take");
      store.write(state("gone", 0, JobStatus.RELEASED)).toCompletableFuture().get();
      assertEquals(List.of(), store.orphans(Set.of(cluster.memberId())), "an ended job is not taken over");
    }
  }

  @Test
  void anEndedJobsStateNeverChangesAgain() throws Exception {
    try (ClusterState cluster = new ClusterState("ended", "127.0.0.1", freePort(), List.of(), dir.resolve("e"))) {
      JobStore store = new JobStore(cluster);
      JobState released = state("a", 1, JobStatus.RELEASED);
      assertTrue(store.write(released).toCompletableFuture().get());
      assertTrue(store.write(released).toCompletableFuture().get(), "the same final state again (a coalesced commit) is taken");
      assertFalse(store.write(state("b", 2, JobStatus.FAILED)).toCompletableFuture().get(),
          "an instance whose view lost a merge cannot overwrite the release, even with a newer epoch");
      assertFalse(store.claim(store.read("job-1").orElseThrow(), "c").toCompletableFuture().get().isPresent(), "nor take it over");
      assertEquals(JobStatus.RELEASED, store.read("job-1").orElseThrow().getStatus());
    }
  }

  /** The merge of two halves of a split cluster, value by value (the policy Hazelcast calls). */
  @Test
  void halvesThatMeetAgainKeepAReleaseOrElseTheNewestOwner() {
    String releasedOld = JobStore.encode(state("a", 3, JobStatus.RELEASED));
    String runningNew = JobStore.encode(state("b", 4, JobStatus.RUNNING));
    String failedNew = JobStore.encode(state("b", 4, JobStatus.FAILED));
    String runningOld = JobStore.encode(state("a", 3, JobStatus.RUNNING));
    assertTrue(NewestEpochMerge.keepMerging(releasedOld, runningNew), "a release beats a newer owner still running");
    assertFalse(NewestEpochMerge.keepMerging(failedNew, releasedOld), "and a newer owner's failure");
    assertTrue(NewestEpochMerge.keepMerging(runningNew, runningOld), "otherwise the newer epoch wins");
    assertFalse(NewestEpochMerge.keepMerging(runningOld, failedNew), "whatever the status");
    assertFalse(NewestEpochMerge.keepMerging(runningOld, runningOld), "on a tie the entry already there stays");
    String recordReleased = "{\"status\":\"RELEASED\",\"epoch\":3}";
    String recordRunning = "{\"status\":\"RUNNING\",\"epoch\":4}";
    assertTrue(NewestEpochMerge.keepMerging(recordReleased, recordRunning), "the API's records merge by the same rule");
  }
}
