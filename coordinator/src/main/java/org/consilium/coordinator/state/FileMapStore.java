package org.consilium.coordinator.state;

import com.hazelcast.map.MapStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Durable backing for a Hazelcast map of strings: one file per key, written to a temporary
 * file, forced to disk and atomically renamed over the old one, so a crash leaves either the
 * old or the new value, never half of one. Write-through (Hazelcast calls store before put
 * returns), so an acknowledged update survives a restart.
 */
public final class FileMapStore implements MapStore<String, String> {
  private final Path dir;

  public FileMapStore(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state folder " + dir, e);
    }
  }

  private Path fileOf(String key) {
    return dir.resolve(HexFormat.of().formatHex(key.getBytes(StandardCharsets.UTF_8)) + ".json");
  }

  @Override
  public void store(String key, String value) {
    Path target = fileOf(key);
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(java.nio.ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException ignored) {
        // Some file systems cannot sync a directory; the rename is still atomic.
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store " + key + " in " + dir, e);
    }
  }

  @Override
  public void storeAll(Map<String, String> map) {
    map.forEach(this::store);
  }

  @Override
  public void delete(String key) {
    try {
      Files.deleteIfExists(fileOf(key));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + key + " from " + dir, e);
    }
  }

  @Override
  public void deleteAll(Collection<String> keys) {
    keys.forEach(this::delete);
  }

  @Override
  public String load(String key) {
    Path f = fileOf(key);
    try {
      return Files.exists(f) ? Files.readString(f) : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
    }
  }

  @Override
  public Map<String, String> loadAll(Collection<String> keys) {
    Map<String, String> out = new HashMap<>();
    for (String k : keys) {
      String v = load(k);
      if (v != null) out.put(k, v);
    }
    return out;
  }

  @Override
  public Iterable<String> loadAllKeys() {
    Set<String> keys = new HashSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .forEach(n -> keys.add(new String(HexFormat.of().parseHex(n.substring(0, n.length() - 5)), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return keys;
  }
}
