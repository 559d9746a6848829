package org.consilium.coordinator.state;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.nio.file.Path;
import java.util.List;

/**
 * The coordinator's shared state: Hazelcast maps for the node registry and for jobs, each
 * backed write-through by a {@link FileMapStore}. By default one embedded member; coordinator
 * instances given each other's addresses form one cluster (TCP/IP join on the configured
 * interface only; multicast and auto-detection are off, and Hazelcast's phone-home is disabled).
 */
public final class ClusterState implements AutoCloseable {
  public static final String NODES = "nodes";
  public static final String JOBS = "jobs";
  /** Each running job's resumable state ({@link JobStore}); durable like the others. */
  public static final String JOB_STATES = "job-states";
  /** The model registry's decisions (stages and their history), per model name; durable like the others. */
  public static final String MODELS = "models";
  /** Drift monitors (schedules, runs, reports) and each model version's drift baseline; durable like the others. */
  public static final String MONITORS = "monitors";
  /** Console sessions: in memory only (a whole-cluster restart logs everyone out), with a backup on another instance. */
  public static final String SESSIONS = "sessions";
  private final HazelcastInstance hz;

  /** One member with the default failure detection (10 s without a heartbeat). */
  public ClusterState(String clusterName, String host, int port, List<String> members, Path stateDir) {
    this(clusterName, host, port, members, stateDir, 10);
  }

  /**
   * failureSeconds: how long an instance may stay silent before the others remove it from the
   * cluster and take over its jobs (Hazelcast's max-no-heartbeat).
   */
  public ClusterState(String clusterName, String host, int port, List<String> members, Path stateDir, int failureSeconds) {
    Config c = new Config();
    c.setClusterName(clusterName);
    c.setInstanceName(clusterName + "-" + host + "-" + port);
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.socket.bind.any", "false");
    c.setProperty("hazelcast.shutdownhook.enabled", "false");
    c.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(failureSeconds));
    c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    // Halves of a split cluster look for each other soon after the split, and merge (jobs by NewestEpochMerge).
    c.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(2 * failureSeconds));
    c.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(2 * failureSeconds));
    NetworkConfig net = c.getNetworkConfig();
    net.setPort(port).setPortAutoIncrement(false);
    net.getInterfaces().setEnabled(true).addInterface(host);
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember(host + ":" + port);
    members.forEach(m -> join.getTcpIpConfig().addMember(m));
    c.addMapConfig(new MapConfig(SESSIONS).setBackupCount(1));
    for (String map : List.of(NODES, JOBS, JOB_STATES, MODELS, MONITORS)) {
      MapConfig config = new MapConfig(map).setBackupCount(1);
      if (map.equals(JOBS) || map.equals(JOB_STATES)) {
        config.setMergePolicyConfig(new com.hazelcast.config.MergePolicyConfig(NewestEpochMerge.class.getName(), 100));
      }
      c.addMapConfig(config.setMapStoreConfig(new MapStoreConfig().setEnabled(true)
          .setImplementation(new FileMapStore(stateDir.resolve(map))).setWriteDelaySeconds(0)
          .setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER)));
    }
    this.hz = Hazelcast.newHazelcastInstance(c);
  }

  public IMap<String, String> nodes() {
    return hz.getMap(NODES);
  }

  public IMap<String, String> jobs() {
    return hz.getMap(JOBS);
  }

  public IMap<String, String> models() {
    return hz.getMap(MODELS);
  }

  public IMap<String, String> monitors() {
    return hz.getMap(MONITORS);
  }

  public IMap<String, String> jobStates() {
    return hz.getMap(JOB_STATES);
  }

  public <V> IMap<String, V> sessions() {
    return hz.getMap(SESSIONS);
  }

  /**
   * Asks whichever instance drives a job to cancel it (a request made on another instance):
   * "JOB_ID BY" on a cluster topic; every instance hears it, the one running the job acts.
   */
  public void requestCancel(String jobId, String by) {
    hz.<String>getTopic("job-cancellations").publish(jobId + " " + by);
  }

  /** Calls action(jobId, by) for every cancellation requested on any instance (on a Hazelcast thread). */
  public void onCancelRequest(java.util.function.BiConsumer<String, String> action) {
    hz.<String>getTopic("job-cancellations").addMessageListener(m -> {
      String[] parts = m.getMessageObject().split(" ", 2);
      if (parts.length == 2) action.accept(parts[0], parts[1]);
    });
  }

  /** This instance's id in the cluster (what a job's state names as its owner). */
  public String memberId() {
    return hz.getCluster().getLocalMember().getUuid().toString();
  }

  /** The ids of the instances in the cluster now. */
  public java.util.Set<String> liveMembers() {
    return hz.getCluster().getMembers().stream().map(m -> m.getUuid().toString()).collect(java.util.stream.Collectors.toSet());
  }

  /** Runs whenever an instance leaves the cluster (on a Hazelcast thread). */
  public void onMemberLeft(Runnable action) {
    hz.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
      @Override
      public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {}

      @Override
      public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) {
        action.run();
      }
    });
  }

  public int clusterSize() {
    return hz.getCluster().getMembers().size();
  }

  @Override
  public void close() {
    hz.shutdown();
  }
}
