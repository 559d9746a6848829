package org.consilium.coordinator.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The console's accounts, read from a YAML file in the coordinator's kit:
 *
 * <pre>
 * users:
 *   - name: alice
 *     role: analyst            # or admin
 *     password: pbkdf2-sha256$600000$...$...
 * </pre>
 *
 * The file holds only password hashes. Errors name the file, the entry and the key.
 */
public final class UserStore {
  private final Map<String, ConsoleUser> users;
  // Verified when the name is unknown, so that a wrong name costs as long as a wrong password.
  private final String decoy;

  public UserStore(List<ConsoleUser> users) {
    Map<String, ConsoleUser> byName = new LinkedHashMap<>();
    for (ConsoleUser u : users) {
      if (byName.put(u.name(), u) != null) throw new IllegalArgumentException("user '" + u.name() + "' is listed twice");
    }
    this.users = Map.copyOf(byName);
    this.decoy = users.isEmpty() ? PasswordHash.create("decoy-password-never-used".toCharArray())
        : users.get(0).passwordHash();
  }

  public static UserStore load(Path file) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read console users file " + file, e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?> top) || !(top.get("users") instanceof List<?> list)) {
      throw new IllegalArgumentException(file + ": expected a 'users' list");
    }
    List<ConsoleUser> users = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> entry)) throw new IllegalArgumentException(file + ": users[" + i + "] is not a mapping");
      for (Object key : entry.keySet()) {
        if (!List.of("name", "role", "password").contains(key)) {
          throw new IllegalArgumentException(file + ": users[" + i + "]: unknown key '" + key + "' (name, role, password)");
        }
      }
      try {
        users.add(new ConsoleUser(string(entry, "name"), Role.parse(string(entry, "role")), string(entry, "password")));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": users[" + i + "]: " + e.getMessage());
      }
    }
    try {
      return new UserStore(users);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
  }

  private static String string(Map<?, ?> entry, String key) {
    Object v = entry.get(key);
    if (v == null) throw new IllegalArgumentException("'" + key + "' is missing");
    return v.toString();
  }

  /** The user if the name exists and the password matches; the same work either way. */
  public Optional<ConsoleUser> authenticate(String name, char[] password) {
    ConsoleUser u = users.get(name);
    boolean ok = PasswordHash.verify(password, u == null ? decoy : u.passwordHash());
    return u != null && ok ? Optional.of(u) : Optional.empty();
  }

  public boolean knows(String name) {
    return users.containsKey(name);
  }

  public boolean isEmpty() {
    return users.isEmpty();
  }

  public List<ConsoleUser> users() {
    return List.copyOf(users.values());
  }

  /** The file's text for these users (what provisioning and the user command write). */
  public static String yaml(List<ConsoleUser> users) {
    StringBuilder b = new StringBuilder()
        .append("# Consilium console users: name, role (admin | analyst) and a PBKDF2 password hash.\n")
        .append("# Only hashes are kept here; manage entries with `consilium-provision user`.\n")
        .append(users.isEmpty() ? "users: []\n" : "users:\n");
    for (ConsoleUser u : users) {
      b.append("  - name: ").append(u.name()).append("\n    role: ").append(u.role().label())
          .append("\n    password: \"").append(u.passwordHash()).append("\"\n");
    }
    return b.toString();
  }

  /** A random password for a new account: 20 characters from an unambiguous alphabet (~114 bits). */
  public static char[] randomPassword(SecureRandom rng) {
    String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    char[] p = new char[20];
    for (int i = 0; i < p.length; i++) p[i] = alphabet.charAt(rng.nextInt(alphabet.length()));
    return p;
  }
}
