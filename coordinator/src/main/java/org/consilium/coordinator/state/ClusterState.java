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
  private final HazelcastInstance hz;

  public ClusterState(String clusterName, String host, int port, List<String> members, Path stateDir) {
    Config c = new Config();
    c.setClusterName(clusterName);
    c.setInstanceName(clusterName + "-" + host + "-" + port);
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.socket.bind.any", "false");
    c.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig net = c.getNetworkConfig();
    net.setPort(port).setPortAutoIncrement(false);
    net.getInterfaces().setEnabled(true).addInterface(host);
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember(host + ":" + port);
    members.forEach(m -> join.getTcpIpConfig().addMember(m));
    for (String map : List.of(NODES, JOBS)) {
      c.addMapConfig(new MapConfig(map).setBackupCount(1).setMapStoreConfig(new MapStoreConfig().setEnabled(true)
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

  public int clusterSize() {
    return hz.getCluster().getMembers().size();
  }

  @Override
  public void close() {
    hz.shutdown();
  }
}
