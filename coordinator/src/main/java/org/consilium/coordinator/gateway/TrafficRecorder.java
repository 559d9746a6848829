package org.consilium.coordinator.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Records every byte the coordinator receives from nodes, length-prefixed per read, to a file.
 * An audit facility (debug.record_traffic): it holds exactly what the coordinator sees anyway,
 * and tests scan it to show that no node's unmasked value ever reaches the coordinator.
 */
public final class TrafficRecorder implements AutoCloseable {
  private final FileChannel out;

  public TrafficRecorder(Path file) {
    try {
      out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open traffic record " + file, e);
    }
  }

  public synchronized void record(String nodeId, byte[] bytes) {
    byte[] id = nodeId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + id.length + bytes.length).putInt(id.length).put(id).putInt(bytes.length).put(bytes).flip();
    try {
      while (b.hasRemaining()) out.write(b);
      out.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
