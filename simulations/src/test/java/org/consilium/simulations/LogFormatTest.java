package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.consilium.deploy.Provisioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node process logs text lines with a UTC date by default, and one JSON object per line with CONSILIUM_LOG_FORMAT=json. */
class LogFormatTest {
  @TempDir
  Path dir;

  private List<String> checkLog(Map<String, String> env) throws Exception {
    Map<String, Path> data = HeartDisease.extractTo(dir.resolve("data"));
    Provisioner.Consortium kits = Provisioner.provision(new Provisioner.Plan("logs", dir.resolve("kits-" + env.size()), "127.0.0.1", 1, 2, 3,
        List.of(new Provisioner.NodePlan("alpha", Map.of(HeartDisease.DATASET, data.get("cleveland")), Map.of())), Map.of(), 0,
        HeartDisease.dictionaryText()));
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), "org.consilium.node.NodeMain", "--config", kits.nodeConfigs().get("alpha").toString(), "--check");
    pb.environment().keySet().removeIf(k -> k.startsWith("CONSILIUM_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), err);
    return new ArrayList<>(err.lines().toList());
  }

  @Test
  void textByDefaultJsonOnRequest() throws Exception {
    List<String> text = checkLog(Map.of());
    assertTrue(text.stream().anyMatch(l -> l.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z INFO .*dataset heart-disease: 303 rows.*")),
        "a text line with its UTC date: " + text);
    List<String> json = checkLog(Map.of("CONSILIUM_LOG_FORMAT", "json"));
    assertTrue(json.size() > 0, "the node logged");
    for (String line : json) {
      JsonObject o = new JsonObject(line); // every line is one JSON object
      assertTrue(o.containsKey("level") && o.containsKey("timestamp") && o.containsKey("formattedMessage"), line);
    }
    assertTrue(json.stream().anyMatch(l -> new JsonObject(l).getString("formattedMessage").startsWith("dataset heart-disease: 303 rows")), json.toString());
  }
}
