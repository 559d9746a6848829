package org.consilium.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment manifests, rendered by real renderers: the Helm chart by Helm's own library
 * (helm-java from Maven Central: lint, then template), the compose file by Debian's
 * docker-compose ({@code config}, no engine needed; installed by scripts/install-compose).
 * What they render must keep the programs non-root, on a read-only root, without privileges.
 */
class DeploymentManifestsTest {
  private static final Path CHART = Path.of("src/helm/consilium");
  @TempDir
  Path dir;

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> documents(String yaml) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object d : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) if (d != null) docs.add((Map<String, Object>) d);
    return docs;
  }

  @SuppressWarnings("unchecked")
  private static Object at(Object node, String path) {
    for (String part : path.split("\\.")) {
      if (node instanceof List<?> l) node = l.get(Integer.parseInt(part));
      else node = ((Map<String, Object>) node).get(part);
      if (node == null) return null;
    }
    return node;
  }

  private static Map<String, Object> kind(List<Map<String, Object>> docs, String kind, String name) {
    return docs.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(at(d, "metadata.name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered: " + docs));
  }

  private static void assertHardened(Map<String, Object> workload) {
    String what = at(workload, "metadata.name").toString();
    assertEquals(true, at(workload, "spec.template.spec.securityContext.runAsNonRoot"), what);
    assertEquals(10001, at(workload, "spec.template.spec.securityContext.runAsUser"), what);
    assertEquals(true, at(workload, "spec.template.spec.containers.0.securityContext.readOnlyRootFilesystem"), what);
    assertEquals(false, at(workload, "spec.template.spec.containers.0.securityContext.allowPrivilegeEscalation"), what);
    assertEquals(List.of("ALL"), at(workload, "spec.template.spec.containers.0.securityContext.capabilities.drop"), what);
    assertEquals(false, at(workload, "spec.template.spec.automountServiceAccountToken"), what);
  }

  @Test
  void theChartLintsAndRendersTheCoordinatorHardened() throws Exception {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertFalse(lint.isFailed(), "helm lint --strict: " + lint.getMessages());

    List<Map<String, Object>> docs = documents(new Helm(CHART).template().withName("consilium").call());
    Map<String, Object> coordinator = kind(docs, "StatefulSet", "consilium-coordinator");
    assertHardened(coordinator);
    String appVersion = new Yaml().<Map<String, Object>>load(Files.readString(CHART.resolve("Chart.yaml"))).get("appVersion").toString();
    assertEquals("consilium-coordinator:" + appVersion, at(coordinator, "spec.template.spec.containers.0.image"));
    assertEquals(List.of("--config", "/kit/coordinator.yaml"), at(coordinator, "spec.template.spec.containers.0.args"));
    assertEquals("/health/ready", at(coordinator, "spec.template.spec.containers.0.readinessProbe.httpGet.path"));
    assertEquals(true, at(coordinator, "spec.template.spec.containers.0.volumeMounts.0.readOnly"), "the kit is mounted read-only");
    assertEquals("Service", kind(docs, "Service", "consilium-coordinator").get("kind"));
    assertTrue(docs.stream().noneMatch(d -> at(d, "metadata.name").toString().contains("node")), "no node unless enabled");
  }

  @Test
  void aNodeNeedsItsIdAndKitAndRendersWithoutIngress() throws Exception {
    Exception missing = assertThrows(Exception.class, () -> new Helm(CHART).template().withName("site").set("coordinator.enabled", "false")
        .set("node.enabled", "true").call());
    assertTrue(missing.getMessage().contains("node.id"), missing.getMessage());

    List<Map<String, Object>> docs = documents(new Helm(CHART).template().withName("site").set("coordinator.enabled", "false")
        .set("node.enabled", "true").set("node.id", "cleveland").set("node.kitSecret", "cleveland-kit")
        .set("node.dataClaim", "cleveland-data").set("image.registry", "registry.example.org/consilium").call());
    Map<String, Object> node = kind(docs, "StatefulSet", "site-node-cleveland");
    assertHardened(node);
    assertTrue(at(node, "spec.template.spec.containers.0.image").toString().startsWith("registry.example.org/consilium/consilium-node:"));
    assertEquals("cleveland-data", at(node, "spec.template.spec.volumes.2.persistentVolumeClaim.claimName"));
    assertEquals(true, at(node, "spec.template.spec.volumes.2.persistentVolumeClaim.readOnly"), "the data is mounted read-only");
    assertTrue(new Yaml().dump(at(node, "spec.template.spec.containers.0.env")).contains("/state/privacy-ledger.log"),
        "the ledger is on the persistent volume");
    Map<String, Object> policy = kind(docs, "NetworkPolicy", "site-node-cleveland");
    assertEquals(List.of("Ingress"), at(policy, "spec.policyTypes"));
    assertEquals(null, at(policy, "spec.ingress"), "no ingress rule: nothing may connect to a node");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyValueIsDocumentedInTheChartsReadme() throws Exception {
    Map<String, Object> values = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(CHART.resolve("values.yaml")));
    String readme = Files.readString(CHART.resolve("README.md"));
    List<String> undocumented = new ArrayList<>();
    collect("", values, readme, undocumented);
    assertEquals(List.of(), undocumented, "values.yaml keys missing from the values table of the chart's README.md");
  }

  @SuppressWarnings("unchecked")
  private static void collect(String prefix, Map<String, Object> node, String readme, List<String> undocumented) {
    node.forEach((k, v) -> {
      String path = prefix + k;
      if (readme.contains("| `" + path + "` |")) return;
      if (v instanceof Map<?, ?> m) collect(path + ".", (Map<String, Object>) m, readme, undocumented);
      else undocumented.add(path);
    });
  }

  @Test
  @SuppressWarnings("unchecked")
  void theComposeFileRendersWithEveryServiceHardened() throws Exception {
    Process install = new ProcessBuilder(Path.of("../scripts/install-compose").toAbsolutePath().normalize().toString())
        .redirectErrorStream(true).start();
    String installed = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(install.waitFor(10, TimeUnit.MINUTES), "scripts/install-compose did not finish");
    Assumptions.assumeTrue(install.exitValue() != 3, "no apt-get here to install docker-compose; compose.yaml not rendered: " + installed);
    assertEquals(0, install.exitValue(), "scripts/install-compose: " + installed);

    Files.copy(Path.of("src/dist/compose.yaml"), dir.resolve("compose.yaml"));
    ProcessBuilder pb = new ProcessBuilder("docker-compose", "-f", "compose.yaml", "config").directory(dir.toFile());
    pb.environment().put("CONSILIUM_KITS", "/srv/consortium");
    Process render = pb.start();
    String out = new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(render.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, render.waitFor(), "docker-compose config: " + err);

    Map<String, Object> services = (Map<String, Object>) documents(out).get(0).get("services");
    assertEquals(List.of("cleveland", "coordinator", "hungarian", "switzerland", "va-long-beach"), services.keySet().stream().sorted().toList());
    String appVersion = new Yaml().<Map<String, Object>>load(Files.readString(CHART.resolve("Chart.yaml"))).get("appVersion").toString();
    services.forEach((name, s) -> {
      assertEquals("10001:10001", at(s, "user"), name);
      assertEquals(true, at(s, "read_only"), name);
      assertEquals(List.of("ALL"), at(s, "cap_drop"), name);
      assertTrue(at(s, "image").toString().endsWith(":" + appVersion), name + " uses the images of this version");
      List<String> volumes = (List<String>) at(s, "volumes");
      String kit = name.equals("coordinator") ? "/srv/consortium/coordinator:/kit:rw" : "/srv/consortium/nodes/" + name + ":/kit:rw";
      assertTrue(volumes.contains(kit), name + ": " + volumes);
      if (!name.equals("coordinator")) assertTrue(volumes.stream().anyMatch(v -> v.endsWith(":/data:ro")), name + " reads its data read-only");
    });
  }
}
