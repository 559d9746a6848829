package org.consilium.analytics.durable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An append-only file of text lines, each forced to disk before {@link #append} returns: what
 * the privacy ledger and the audit log are written on. A write is a whole line ending in a
 * newline, so only a final fragment without one can be torn by a crash; opening drops such a
 * fragment (it was never acknowledged) and says so in {@link #warnings}. What the lines mean,
 * and whether they are intact, is the owner's to check.
 */
public final class LineLog implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private final List<String> lines;
  private final List<String> warnings = new ArrayList<>();

  private LineLog(Path file) throws IOException {
    this.file = file;
    if (file.getParent() != null) Files.createDirectories(file.getParent());
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    byte[] all = Files.readAllBytes(file);
    int end = all.length;
    while (end > 0 && all[end - 1] != '\n') end--;
    if (end < all.length) {
      warnings.add(file + ": a final entry cut short by an interrupted write was dropped (it had never been acknowledged)");
      channel.truncate(end);
      channel.force(true);
    }
    String text = new String(Arrays.copyOf(all, end), StandardCharsets.UTF_8);
    this.lines = text.isEmpty() ? List.of() : List.of(text.substring(0, text.length() - 1).split("\n", -1));
    channel.position(channel.size());
  }

  /** Opens (or creates) the file; what names it in errors. */
  public static LineLog open(Path file, String what) {
    try {
      return new LineLog(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + what + " " + file, e);
    }
  }

  /** The complete lines the file held when it was opened, in order. */
  public List<String> linesAtOpen() {
    return lines;
  }

  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** Appends one line (without its newline, which is added) and returns once it is on disk. */
  public void append(String line) {
    appendAll(List.of(line));
  }

  /** Appends lines in order with one force (a group commit) and returns once all are on disk. */
  public synchronized void appendAll(List<String> batch) {
    StringBuilder text = new StringBuilder();
    for (String line : batch) {
      if (line.indexOf('\n') >= 0) throw new IllegalArgumentException("a log line cannot contain a newline");
      text.append(line).append('\n');
    }
    try {
      ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) channel.write(buf);
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Every line written so far (never a half-written one: appends wait). */
  public synchronized List<String> lines() {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
