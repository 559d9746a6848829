package org.consilium.simulations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.consilium.coordinator.CoordinatorMain;
import org.consilium.deploy.Provisioner;
import org.consilium.node.NodeMain;

/**
 * A consortium on this machine: provisions a fresh CA and startup kits in a work folder, then
 * runs the coordinator (one instance, or several forming one Hazelcast cluster) and one node per
 * hospital as separate JVM processes talking mutually authenticated TLS over loopback. Logs go
 * to work/logs. Closing it stops every process.
 */
public final class LocalConsortium implements AutoCloseable {
  private final Path work;
  private final Jit jit;
  private final Provisioner.Consortium kits;
  private final Map<String, Process> nodes = new LinkedHashMap<>();
  /** Processes frozen on purpose: Vert.x rightly reports their threads blocked across the pause, which is no finding. */
  private final java.util.Set<String> frozen = new java.util.HashSet<>();
  private final Map<String, Path> datasets;
  /** The coordinator instances, in provisioning order ("coordinator", "coordinator-2", ...). */
  private final List<Process> coordinators = new ArrayList<>();
  private final List<RestClient> rests = new ArrayList<>();
  private final List<Integer> restPorts;
  private final List<Integer> clusterPorts;
  private int current;

  /**
   * How to set the consortium up; per-node extra settings (dotted keys) go into each node.yaml.
   * datasets maps node id to its CSV under the logical name datasetName; null means the bundled
   * four-hospital Heart Disease data.
   */
  public record Options(Path work, Map<String, Map<String, String>> nodeSettings, Map<String, String> coordinatorSettings,
      String datasetName, Map<String, Path> datasets, int heKeyBits, String dictionary, Jit jit) {
    public Options(Path work, Map<String, Map<String, String>> nodeSettings, Map<String, String> coordinatorSettings) {
      this(work, nodeSettings, coordinatorSettings, HeartDisease.DATASET, null, 2048, HeartDisease.dictionaryText(), Jit.TESTS);
    }

    /** Other data under the heart-disease dictionary (e.g. a site's modified copy), or null datasets for the bundled files. */
    public Options(Path work, Map<String, Map<String, String>> nodeSettings, Map<String, String> coordinatorSettings,
        String datasetName, Map<String, Path> datasets, int heKeyBits) {
      this(work, nodeSettings, coordinatorSettings, datasetName, datasets, heKeyBits, HeartDisease.dictionaryText(), Jit.TESTS);
    }

    /** Other data under its own dictionary. */
    public Options(Path work, Map<String, Map<String, String>> nodeSettings, Map<String, String> coordinatorSettings,
        String datasetName, Map<String, Path> datasets, int heKeyBits, String dictionary) {
      this(work, nodeSettings, coordinatorSettings, datasetName, datasets, heKeyBits, dictionary, Jit.TESTS);
    }

    /** The same, with the processes' JIT chosen (the benchmarks measure as deployed). */
    public Options with(Jit chosen) {
      return new Options(work, nodeSettings, coordinatorSettings, datasetName, datasets, heKeyBits, dictionary, chosen);
    }

    /**
     * The default simulation: every hospital allows statistics, training and datasheets (a real
     * node allows only statistics unless its operator says otherwise) and answers the datasheet
     * questions about its own data.
     */
    public static Options defaults(Path work) {
      Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
      HeartDisease.HOSPITALS.keySet().forEach(id -> nodes.put(id, Map.of(
          "policy.allowed_computations", "[statistics, train, datasheet, drift]",
          "datasheet.motivation", "'Heart disease diagnosis research; patients referred for angiography (" + id + ").'",
          "datasheet.collection", "'Records of the UCI Heart Disease study, as published; no new collection.'")));
      return new Options(work, nodes, Map.of());
    }
  }

  /**
   * How the processes compile. A test runs for seconds: C1 only starts a process in about half the
   * time. A deployment runs for months: C2 compiles the hot paths (BigInteger's Montgomery
   * multiplication is an intrinsic only there; Paillier's big powers go through GMP, so the
   * Paillier training job takes about the same under both: 31 s under C1, 37 s under C2).
   */
  public enum Jit {
    TESTS("-XX:TieredStopAtLevel=1"),
    DEPLOYMENT("-XX:+TieredCompilation");

    private final String flag;

    Jit(String flag) {
      this.flag = flag;
    }
  }

  private LocalConsortium(Path work, Provisioner.Consortium kits, Map<String, Path> datasets, List<Integer> restPorts,
      List<Integer> clusterPorts, Jit jit) {
    this.work = work;
    this.jit = jit;
    this.kits = kits;
    this.datasets = datasets;
    this.restPorts = List.copyOf(restPorts);
    this.clusterPorts = List.copyOf(clusterPorts);
  }

  /** Provisions and starts everything with one coordinator instance; returns once every node is registered and online. */
  public static LocalConsortium start(Options options) {
    return start(options, 1);
  }

  /**
   * The same with a highly available coordinator of this many instances (one Hazelcast cluster;
   * every node lists them all). REST calls go to the first until {@link #useCoordinator} says otherwise.
   */
  public static LocalConsortium start(Options options, int coordinatorInstances) {
    Path work = options.work().toAbsolutePath();
    Map<String, Path> data = options.datasets() != null ? options.datasets() : HeartDisease.extractTo(work.resolve("data"));
    List<Integer> restPorts = new ArrayList<>();
    List<Provisioner.Replica> replicas = new ArrayList<>();
    int nodesPort = freePort();
    int clusterPort = freePort();
    restPorts.add(freePort());
    for (int i = 1; i < coordinatorInstances; i++) {
      Provisioner.Replica r = new Provisioner.Replica(freePort(), freePort(), freePort());
      replicas.add(r);
      restPorts.add(r.restPort());
    }
    List<Provisioner.NodePlan> plans = new ArrayList<>();
    data.forEach((id, csv) -> plans.add(new Provisioner.NodePlan(id, Map.of(options.datasetName(), csv),
        options.nodeSettings().getOrDefault(id, Map.of()))));
    Provisioner.Consortium kits = Provisioner.provision(new Provisioner.Plan("consilium-sim", work.resolve("consortium"),
        "127.0.0.1", nodesPort, restPorts.get(0), clusterPort, plans, options.coordinatorSettings(), options.heKeyBits(),
        options.dictionary(), replicas));
    List<Integer> clusterPorts = new ArrayList<>(List.of(clusterPort));
    replicas.forEach(r -> clusterPorts.add(r.clusterPort()));
    LocalConsortium c = new LocalConsortium(work, kits, data, restPorts, clusterPorts, options.jit());
    try {
      c.startProcesses();
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private void startProcesses() {
    for (int i = 0; i < 1 + kits.replicaConfigs().size(); i++) {
      coordinators.add(null);
      launchCoordinator(i);
      rests.add(new RestClient(URI.create("https://127.0.0.1:" + restPorts.get(i) + "/"), kits.caCertificate(), kits.adminToken()));
    }
    kits.nodeConfigs().forEach((id, cfg) -> nodes.put(id, launch(id, NodeMain.class.getName(), cfg)));
    // Many JVMs starting at once on a small machine take their time: 10 s more for each node past four.
    waitFor(Duration.ofSeconds(90 + 10L * Math.max(0, nodes.size() - 4)), "all nodes to connect", () -> {
      for (var n : nodes.entrySet()) {
        if (!n.getValue().isAlive()) throw new IllegalStateException("node " + n.getKey() + " exited: see " + log(n.getKey()));
      }
      return onlineNodes().containsAll(nodes.keySet());
    });
  }

  private Process launch(String id, String mainClass, Path config) {
    try {
      Files.createDirectories(work.resolve("logs"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", jit.flag,
          "-Dconsilium.id=" + id, "-cp", absoluteClassPath(), mainClass, "--config", config.toString())
          .redirectOutput(work.resolve("logs/" + id + ".out").toFile())
          .redirectError(log(id).toFile());
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + id, e);
    }
  }

  /** This JVM's class path with absolute entries, so children work from any folder. */
  private static String absoluteClassPath() {
    return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(e -> Path.of(e).toAbsolutePath().toString()).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
  }

  private Path log(String id) {
    return work.resolve("logs/" + id + ".log");
  }

  public Path work() {
    return work;
  }

  /** The REST client of the coordinator instance in use. */
  public RestClient rest() {
    return rests.get(current);
  }

  /** The REST client of coordinator instance i (0 is the first). */
  public RestClient rest(int instance) {
    return rests.get(instance);
  }

  /** Sends the REST calls of this object to coordinator instance i from now on. */
  public void useCoordinator(int instance) {
    current = instance;
  }

  public long coordinatorPid(int instance) {
    return coordinators.get(instance).pid();
  }

  public int coordinatorCount() {
    return coordinators.size();
  }

  private static String coordinatorName(int instance) {
    return instance == 0 ? "coordinator" : "coordinator-" + (instance + 1);
  }

  private void launchCoordinator(int i) {
    String name = coordinatorName(i);
    Path config = i == 0 ? kits.coordinatorConfig() : kits.replicaConfigs().get(i - 1);
    Process p = launch(name, CoordinatorMain.class.getName(), config);
    coordinators.set(i, p);
    waitFor(Duration.ofSeconds(90), name + " to start (see " + log(name) + ")", () -> {
      if (!p.isAlive()) throw new IllegalStateException(name + " exited: see " + log(name));
      return read(work.resolve("logs/" + name + ".out")).contains("CONSILIUM_COORDINATOR_READY");
    });
  }

  /** Starts coordinator instance i again (after {@link #killCoordinator}); it joins the others' cluster. */
  public void restartCoordinator(int i) {
    if (coordinators.get(i).isAlive()) throw new IllegalStateException(coordinatorName(i) + " is still running");
    launchCoordinator(i);
  }

  /** Kills coordinator instance i abruptly (SIGKILL), as a machine loss would. */
  public void killCoordinator(int instance) {
    killHard(coordinators.get(instance));
  }

  private static void killHard(Process p) {
    p.destroyForcibly();
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Pauses (SIGSTOP) or resumes (SIGCONT) coordinator instance i, as a long GC pause or a frozen VM would. */
  /** The Hazelcast member port of each coordinator instance (what a network partition between them cuts). */
  public List<Integer> clusterPorts() {
    return clusterPorts;
  }

  public void pauseCoordinator(int instance, boolean pause) {
    if (pause) frozen.add(coordinatorName(instance));
    signal(coordinators.get(instance), pause ? "-STOP" : "-CONT");
  }

  /** Freezes (SIGSTOP) or resumes (SIGCONT) a node: it holds its connection but answers nothing. */
  public void pauseNode(String nodeId, boolean pause) {
    if (pause) frozen.add(nodeId);
    signal(nodes.get(nodeId), pause ? "-STOP" : "-CONT");
  }

  private static void signal(Process p, String signal) {
    try {
      int rc = new ProcessBuilder("kill", signal, Long.toString(p.pid())).start().waitFor();
      if (rc != 0 && p.isAlive()) throw new IllegalStateException("kill " + signal + " " + p.pid() + " failed with " + rc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public Provisioner.Consortium kits() {
    return kits;
  }

  /** The CSV file each hospital node serves, for reference computations in the clear. */
  public Map<String, Path> datasets() {
    return datasets;
  }

  public Set<String> nodeIds() {
    return nodes.keySet();
  }

  public List<String> onlineNodes() {
    RestClient.Response r = rest().get("api/v1/nodes");
    if (r.status() != 200) return List.of();
    List<String> online = new ArrayList<>();
    new JsonArray(r.body()).forEach(o -> {
      JsonObject n = (JsonObject) o;
      if (n.getBoolean("online", false)) online.add(n.getString("id"));
    });
    return online;
  }

  /** Submits a job spec (JSON) and returns its id; throws with the API's message if refused. */
  public String submit(String specJson) {
    return submit(rest(), specJson);
  }

  /** Submits a job spec through any coordinator's REST API (a consortium this class did not start, too). */
  public static String submit(RestClient rest, String specJson) {
    RestClient.Response r = rest.post("api/v1/jobs", specJson);
    if (r.status() != 201) throw new IllegalStateException("job refused (" + r.status() + "): " + r.body());
    return new JsonObject(r.body()).getString("id");
  }

  public JsonObject job(String id) {
    return job(rest(), id);
  }

  private static JsonObject job(RestClient rest, String id) {
    RestClient.Response r = rest.get("api/v1/jobs/" + id);
    if (r.status() != 200) throw new IllegalStateException("GET job " + id + ": " + r.status() + " " + r.body());
    return new JsonObject(r.body());
  }

  /** Waits until the job has ended (RELEASED, REFUSED, FAILED or CANCELLED) and returns its record. */
  public JsonObject awaitJob(String id, Duration timeout) {
    return awaitJob(rest(), id, timeout);
  }

  public static JsonObject awaitJob(RestClient rest, String id, Duration timeout) {
    JsonObject[] last = new JsonObject[1];
    waitFor(timeout, "job " + id + " to finish", () -> {
      last[0] = job(rest, id);
      return org.consilium.coordinator.state.JobStore.isFinal(last[0].getString("status"));
    });
    return last[0];
  }

  /** The operating-system process id of a node, for fault-injection tests. */
  /** The process id of a node, or of the coordinator for "coordinator". */
  public long pid(String nodeId) {
    return "coordinator".equals(nodeId) ? coordinators.get(0).pid() : nodes.get(nodeId).pid();
  }

  /** Peak resident memory of a node process in MiB (VmHWM from /proc), or -1 where /proc is not available. */
  public long peakMemoryMiB(String nodeId) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid(nodeId)), "status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * Stops a node (SIGTERM) and starts it again from its kit, as an operator does after its data
   * changed (a node reads its datasets at start); returns once the coordinator sees it again.
   */
  public void restartNode(String nodeId) {
    Process p = nodes.get(nodeId);
    p.destroy();
    try {
      if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) killHard(p);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping " + nodeId);
    }
    waitFor(Duration.ofSeconds(30), nodeId + " to be seen offline", () -> !onlineNodes().contains(nodeId));
    nodes.put(nodeId, launch(nodeId, NodeMain.class.getName(), kits.nodeConfigs().get(nodeId)));
    waitFor(Duration.ofSeconds(90), nodeId + " to connect again", () -> {
      if (!nodes.get(nodeId).isAlive()) throw new IllegalStateException("node " + nodeId + " exited: see " + log(nodeId));
      return onlineNodes().contains(nodeId);
    });
  }

  /** Kills a node process abruptly (SIGKILL), as a crash or a pulled cable would. */
  public void kill(String nodeId) {
    killHard(nodes.get(nodeId));
  }

  public static void waitFor(Duration timeout, String what, java.util.concurrent.Callable<Boolean> condition) {
    Instant end = Instant.now().plus(timeout);
    Exception lastError = null;
    while (Instant.now().isBefore(end)) {
      try {
        if (condition.call()) return;
        lastError = null;
      } catch (IllegalStateException e) {
        if (e.getMessage() != null && e.getMessage().contains("exited")) throw e;
        lastError = e;
      } catch (Exception e) {
        lastError = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what);
      }
    }
    throw new IllegalStateException("timed out after " + timeout.toSeconds() + "s waiting for " + what
        + (lastError == null ? "" : " (last error: " + lastError.getMessage() + ")"));
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    List<Process> all = new ArrayList<>(nodes.values());
    all.addAll(coordinators);
    for (Process p : all) {
      if (p.isAlive()) signal(p, "-CONT"); // a stopped process does not act on SIGTERM until it runs again
      p.destroy();
    }
    for (Process p : all) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<String> blocked = blockedThreadWarnings();
    if (!blocked.isEmpty() && !Boolean.getBoolean("consilium.failOnBlockedThreads")) {
      System.err.println("LocalConsortium: Vert.x reported blocked threads:\n" + String.join("\n", blocked));
    } else if (!blocked.isEmpty()) {
      throw new AssertionError("Vert.x reported a blocked thread (an event loop past 2 s or a worker past 60 s) in a process of "
          + "this consortium; every such warning fails the scenario:\n" + String.join("\n", blocked));
    }
  }

  /** Vert.x's blocked-thread warnings in every process's log, naming the process; processes frozen on purpose are left out. */
  public List<String> blockedThreadWarnings() {
    return blockedThreadWarnings(work.resolve("logs"), frozen);
  }

  /** The blocked-thread warnings in the logs (one file per process, {@code <id>.log}) of the processes not left out. */
  static List<String> blockedThreadWarnings(Path logDir, java.util.Set<String> leftOut) {
    List<String> found = new ArrayList<>();
    if (!Files.isDirectory(logDir)) return found; // nothing was launched
    try (var logs = Files.list(logDir)) {
      for (Path f : logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        String id = f.getFileName().toString().replaceFirst("\\.log$", "");
        if (leftOut.contains(id)) continue;
        for (String line : Files.readAllLines(f)) if (line.contains("has been blocked for")) found.add(id + ": " + line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the process logs in " + logDir, e);
    }
    return found;
  }
}
