package org.consilium.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.consilium.coordinator.access.ConsoleUser;
import org.consilium.coordinator.access.PasswordHash;
import org.consilium.coordinator.access.Role;
import org.consilium.coordinator.access.UserStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Adds, resets or removes a console account in the coordinator's users file. The password is
 * read from the terminal (or the first line of standard input), or generated and printed once
 * with --generate. The file is replaced atomically; restart the coordinator to apply it.
 */
@Command(name = "consilium-user", mixinStandardHelpOptions = true, version = "0.1.0",
    description = "Adds, resets or removes a console user in console-users.yaml.")
public final class UserCommand implements Callable<Integer> {
  @Option(names = "--users-file", required = true, description = "the coordinator's console-users.yaml")
  Path file;

  @Option(names = "--name", required = true, description = "user name")
  String name;

  @Option(names = "--role", defaultValue = "analyst", description = "admin or analyst (default: ${DEFAULT-VALUE})")
  String role;

  @Option(names = "--generate", description = "generate a random password and print it")
  boolean generate;

  @Option(names = "--remove", description = "remove the user instead")
  boolean remove;

  public static void main(String[] args) {
    System.exit(new CommandLine(new UserCommand()).execute(args));
  }

  @Override
  public Integer call() {
    try {
      List<ConsoleUser> users = new ArrayList<>(Files.exists(file) ? UserStore.load(file).users() : List.of());
      boolean existed = users.removeIf(u -> u.name().equals(name));
      if (remove) {
        if (!existed) throw new IllegalArgumentException("no user '" + name + "' in " + file);
      } else {
        char[] password = generate ? UserStore.randomPassword(new SecureRandom()) : readPassword();
        users.add(new ConsoleUser(name, Role.parse(role), PasswordHash.create(password)));
        if (generate) System.out.println(name + ": " + new String(password));
      }
      replace(file, UserStore.yaml(users));
      System.err.println((remove ? "removed " : existed ? "reset " : "added ") + name + " in " + file + "; restart the coordinator to apply");
      return 0;
    } catch (IOException | RuntimeException e) {
      System.err.println("consilium-user: " + e.getMessage());
      return 1;
    }
  }

  private static char[] readPassword() throws IOException {
    if (System.console() != null) {
      char[] p = System.console().readPassword("password for the new sign-in (at least 12 characters): ");
      if (p == null) throw new IllegalArgumentException("no password given");
      return p;
    }
    String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    if (line == null) throw new IllegalArgumentException("no password on standard input");
    return line.toCharArray();
  }

  /** The file is never half-written, and only its owner reads it. */
  private static void replace(Path file, String text) throws IOException {
    org.consilium.analytics.durable.AtomicFile.writeOwnerOnly(file, text.getBytes(StandardCharsets.UTF_8));
  }

}
