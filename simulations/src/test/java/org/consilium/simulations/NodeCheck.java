package org.consilium.simulations;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.consilium.node.NodeMain;
import picocli.CommandLine;

/** Runs {@code consilium-node --check} on a kit in this process and keeps what it printed. */
record NodeCheck(int exit, String out, String err) {
  static NodeCheck run(Path config) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int exit = new CommandLine(new NodeMain()).execute("--config", config.toString(), "--check");
      return new NodeCheck(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
