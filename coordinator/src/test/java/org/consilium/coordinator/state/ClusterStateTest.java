package org.consilium.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterStateTest {
  @TempDir
  Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aSecondInstancePointedAtTheFirstJoinsAndSeesTheSameState() throws Exception {
    int p1 = freePort();
    int p2 = freePort();
    try (ClusterState first = new ClusterState("test-cluster", "127.0.0.1", p1, List.of(), dir.resolve("a"))) {
      first.jobs().put("job-1", "{\"status\":\"RUNNING\"}");
      try (ClusterState second = new ClusterState("test-cluster", "127.0.0.1", p2, List.of("127.0.0.1:" + p1), dir.resolve("b"))) {
        assertEquals(2, second.clusterSize(), "the second instance joined the first");
        assertEquals(2, first.clusterSize());
        assertEquals("{\"status\":\"RUNNING\"}", second.jobs().get("job-1"), "job state is shared");
        second.nodes().put("cleveland", "{\"online\":true}");
        assertEquals("{\"online\":true}", first.nodes().get("cleveland"));
      }
    }
  }

  @Test
  void stateSurvivesARestartThroughTheDurableStore() throws Exception {
    int port = freePort();
    try (ClusterState s = new ClusterState("restart", "127.0.0.1", port, List.of(), dir.resolve("s"))) {
      s.jobs().put("job-7", "{\"status\":\"RELEASED\"}");
    }
    try (ClusterState s = new ClusterState("restart", "127.0.0.1", freePort(), List.of(), dir.resolve("s"))) {
      assertEquals("{\"status\":\"RELEASED\"}", s.jobs().get("job-7"));
      assertEquals(1, s.jobs().size());
    }
  }

  @Test
  void aCoordinatorRestartingAloneMarksNodesOfflineAndFailsJobsThatCannotFinish() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    org.consilium.analytics.audit.AuditLog audit = org.consilium.analytics.audit.AuditLog.open(dir.resolve("audit.log"), "coordinator",
        g.generateKeyPair().getPrivate());
    try (ClusterState s = new ClusterState("settle", "127.0.0.1", freePort(), List.of(), dir.resolve("t"))) {
      s.nodes().put("cleveland", "{\"id\":\"cleveland\",\"online\":true}");
      s.jobs().put("job-running", "{\"id\":\"job-running\",\"status\":\"RUNNING\"}");
      s.jobs().put("job-offered", "{\"id\":\"job-offered\",\"status\":\"OFFERED\"}");
      s.jobs().put("job-done", "{\"id\":\"job-done\",\"status\":\"RELEASED\"}");
      Restart.Settled settled = Restart.settle(s, audit);
      assertEquals(new Restart.Settled(1, 2), settled);
      assertEquals(false, new io.vertx.core.json.JsonObject(s.nodes().get("cleveland")).getBoolean("online"), "offline until HELLO");
      var running = new io.vertx.core.json.JsonObject(s.jobs().get("job-running"));
      assertEquals("FAILED", running.getString("status"));
      org.junit.jupiter.api.Assertions.assertTrue(running.getString("error").contains("restarted"), running.getString("error"));
      assertEquals("RELEASED", new io.vertx.core.json.JsonObject(s.jobs().get("job-done")).getString("status"), "finished jobs stay");
      org.junit.jupiter.api.Assertions.assertTrue(audit.lines().stream().filter(l -> l.contains("job.ended")).count() == 2,
          "each failed job is in the audit log");
    } finally {
      audit.close();
    }
  }
}
