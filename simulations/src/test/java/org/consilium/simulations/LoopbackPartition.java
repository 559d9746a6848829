package org.consilium.simulations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A real network partition between processes on this machine: TCP traffic to and from some
 * loopback ports stops (the kernel holds it in a queue that drains at one byte per second and
 * drops it when the partition heals), while the processes keep running and every other
 * connection keeps working. Built with {@code tc} (an HTB class of 8 bit/s, u32 filters on
 * source and destination port), because this sandbox's kernel has neither netfilter nor tc's
 * drop action nor netem. Needs root; {@link #unavailable} says why it cannot run elsewhere.
 */
final class LoopbackPartition implements AutoCloseable {
  private LoopbackPartition() {}

  /** Why a partition cannot be made here, if it cannot (not root, no tc, no HTB, lo already shaped). */
  static Optional<String> unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) return Optional.of("needs root to shape the loopback interface");
    try {
      String existing = run("tc", "qdisc", "show", "dev", "lo");
      if (existing.contains("htb") || existing.contains("handle 1:")) return Optional.of("lo already has a root qdisc: " + existing.trim());
      run("tc", "qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "0");
      run("tc", "qdisc", "del", "dev", "lo", "root");
      return Optional.empty();
    } catch (IOException | IllegalStateException e) {
      return Optional.of("tc cannot shape lo here: " + e.getMessage());
    }
  }

  /** Cuts every TCP segment to or from these ports until {@link #close}. */
  static LoopbackPartition cut(List<Integer> ports) throws IOException {
    run("tc", "qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "0");
    LoopbackPartition p = new LoopbackPartition();
    try {
      run("tc", "class", "add", "dev", "lo", "parent", "1:", "classid", "1:1", "htb", "rate", "8bit", "ceil", "8bit", "burst", "1",
          "cburst", "1");
      for (int port : ports) {
        for (String direction : List.of("dport", "sport")) {
          run("tc", "filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio", "1", "u32", "match", "ip", direction,
              Integer.toString(port), "0xffff", "flowid", "1:1");
        }
      }
      return p;
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /** Heals the partition: the held segments are dropped, TCP retransmits, the processes meet again. */
  @Override
  public void close() {
    try {
      run("tc", "qdisc", "del", "dev", "lo", "root");
    } catch (IOException e) {
      throw new IllegalStateException("could not heal the partition (run 'tc qdisc del dev lo root'): " + e.getMessage());
    }
  }

  private static String run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + out.trim());
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + command[0]);
    }
  }
}
