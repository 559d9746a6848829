package org.consilium.analytics.durable;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a whole file so that a reader (or a crash) sees either the old or the new content,
 * never a mix: the bytes go to a sibling temporary file, are forced to disk, and the file is
 * renamed over the old one; then the folder is forced so the rename itself survives a crash.
 */
public final class AtomicFile {
  private AtomicFile() {}

  public static void write(Path file, byte[] content) throws IOException {
    replace(file, content, false);
  }

  /** The same, readable and writable by the owner only (a secret: a key, password hashes). */
  public static void writeOwnerOnly(Path file, byte[] content) throws IOException {
    replace(file, content, true);
  }

  private static void replace(Path file, byte[] content, boolean ownerOnly) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp);
    if (ownerOnly) {
      try {
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // Not a POSIX file system: the folder's permissions are the operator's to set.
      }
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(content);
      while (b.hasRemaining()) ch.write(b);
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Path folder = file.toAbsolutePath().getParent();
    try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException ignored) {
      // Some file systems cannot open a folder for forcing; the rename is still atomic there.
    }
  }
}
