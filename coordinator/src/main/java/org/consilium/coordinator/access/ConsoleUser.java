package org.consilium.coordinator.access;

import java.util.regex.Pattern;

/** A console account: a name, a role and a password hash ({@link PasswordHash}). */
public record ConsoleUser(String name, Role role, String passwordHash) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{0,63}");

  public ConsoleUser {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("user name '" + name + "' must be 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter");
    }
    if (role == null) throw new IllegalArgumentException("user '" + name + "' has no role");
    PasswordHash.validate(passwordHash);
  }

  @Override
  public String toString() {
    return "ConsoleUser[" + name + ", " + role.label() + "]"; // never the hash
  }
}
