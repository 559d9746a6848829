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
}
