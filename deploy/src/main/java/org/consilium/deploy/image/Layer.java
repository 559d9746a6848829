package org.consilium.deploy.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * One filesystem layer of an image, built reproducibly: entries in path order, fixed times, owner
 * root unless said otherwise, symbolic links kept as links. {@link #write} gives the gzip blob
 * with its digest (what a manifest names) and the digest of the plain tar (the config's diff id).
 */
final class Layer {
  /** A written layer: its gzip file, sha256 of the gzip (digest), of the tar (diffId), and size. */
  record Blob(Path file, String digest, String diffId, long size) {}

  private sealed interface Entry permits Dir, File, Link {}

  private record Dir(int mode, int uid) implements Entry {}

  private record File(Path source, byte[] content, int mode, int uid) implements Entry {}

  private record Link(String target) implements Entry {}

  /** Every entry's time: the Unix epoch, so the same inputs give the same digests. */
  private static final long MTIME = 0L;
  private final Map<String, Entry> entries = new TreeMap<>();

  Layer directory(String path, int mode, int uid) {
    parents(path);
    entries.put(clean(path) + "/", new Dir(mode, uid));
    return this;
  }

  Layer file(String path, byte[] content, int mode) {
    parents(path);
    entries.put(clean(path), new File(null, content, mode, 0));
    return this;
  }

  Layer symlink(String path, String target) {
    parents(path);
    entries.put(clean(path), new Link(target));
    return this;
  }

  /** A file or folder of this machine at its own path, links along the way kept as links. */
  Layer hostPath(Path path) throws IOException {
    Path abs = path.toAbsolutePath().normalize();
    Path walked = abs.getRoot();
    for (Path part : abs.getRoot().relativize(abs)) {
      walked = walked.resolve(part);
      if (Files.isSymbolicLink(walked)) {
        Path target = Files.readSymbolicLink(walked);
        symlink(walked.toString(), target.toString());
        return hostPath(walked.getParent().resolve(target).resolve(walked.relativize(abs)).normalize());
      }
    }
    return Files.isDirectory(abs) ? tree(abs, abs.toString()) : copy(abs, abs.toString());
  }

  /** A folder of this machine placed at dest, modes kept, links kept as links. */
  Layer tree(Path source, String dest) throws IOException {
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path p : walk.sorted().toList()) {
        String at = dest + (p.equals(source) ? "" : "/" + source.relativize(p));
        if (Files.isSymbolicLink(p)) symlink(at, Files.readSymbolicLink(p).toString());
        else if (Files.isDirectory(p)) directory(at, mode(p), 0);
        else copy(p, at);
      }
    }
    return this;
  }

  private Layer copy(Path source, String dest) throws IOException {
    parents(dest);
    entries.put(clean(dest), new File(source, null, mode(source), 0));
    return this;
  }

  private void parents(String path) {
    String p = clean(path);
    for (int i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
      entries.putIfAbsent(p.substring(0, i) + "/", new Dir(0755, 0));
    }
  }

  /** Tar entry names are relative: "usr/lib/x", "kit/" for a folder. */
  private static String clean(String path) {
    String p = path.replaceAll("/+", "/");
    while (p.startsWith("/")) p = p.substring(1);
    while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    if (p.isEmpty() || p.contains("..")) throw new IllegalArgumentException("not a path inside an image: '" + path + "'");
    return p;
  }

  private static int mode(Path p) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    int m = 0;
    for (PosixFilePermission x : perms) m |= 1 << (8 - x.ordinal());
    return m;
  }

  /** Writes the layer as a gzip-compressed tar into folder (named by its digest). */
  Blob write(Path folder) throws IOException {
    Files.createDirectories(folder);
    Path tmp = Files.createTempFile(folder, "layer", ".tar.gz");
    MessageDigest gz = sha256();
    MessageDigest tar = sha256();
    try (OutputStream file = Files.newOutputStream(tmp);
        DigestOutputStream gzDigest = new DigestOutputStream(file, gz);
        GZIPOutputStream zip = new GZIPOutputStream(gzDigest, 1 << 16);
        DigestOutputStream tarDigest = new DigestOutputStream(zip, tar);
        TarArchiveOutputStream out = new TarArchiveOutputStream(tarDigest)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (var e : entries.entrySet()) {
        TarArchiveEntry t;
        Entry v = e.getValue();
        if (v instanceof Dir d) {
          t = new TarArchiveEntry(e.getKey());
          t.setMode(040000 | d.mode());
          owner(t, d.uid());
        } else if (v instanceof Link l) {
          t = new TarArchiveEntry(e.getKey(), TarArchiveEntry.LF_SYMLINK);
          t.setLinkName(l.target());
          t.setMode(0120777);
          owner(t, 0);
        } else {
          File f = (File) v;
          t = new TarArchiveEntry(e.getKey());
          t.setMode(0100000 | f.mode());
          t.setSize(f.content() != null ? f.content().length : Files.size(f.source()));
          owner(t, f.uid());
        }
        t.setModTime(MTIME);
        out.putArchiveEntry(t);
        if (e.getValue() instanceof File f) {
          if (f.content() != null) out.write(f.content());
          else try (InputStream in = Files.newInputStream(f.source())) {
            in.transferTo(out);
          }
        }
        out.closeArchiveEntry();
      }
      out.finish();
    }
    String digest = HexFormat.of().formatHex(gz.digest());
    Path blob = folder.resolve(digest);
    Files.move(tmp, blob, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new Blob(blob, "sha256:" + digest, "sha256:" + HexFormat.of().formatHex(tar.digest()), Files.size(blob));
  }

  private static void owner(TarArchiveEntry t, int uid) {
    t.setIds(uid, uid);
    t.setNames(uid == 0 ? "root" : "consilium", uid == 0 ? "root" : "consilium");
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
