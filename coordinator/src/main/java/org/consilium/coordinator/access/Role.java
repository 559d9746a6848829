package org.consilium.coordinator.access;

import java.util.Locale;

/** What a console user may do: analysts submit and read jobs; administrators also manage nodes and read audit logs. */
public enum Role {
  ANALYST,
  ADMIN;

  /** True if this role may do what the required role may. */
  public boolean includes(Role required) {
    return this == ADMIN || this == required;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role parse(String text) {
    for (Role r : values()) {
      if (r.label().equals(text)) return r;
    }
    throw new IllegalArgumentException("role must be 'admin' or 'analyst', not '" + text + "'");
  }
}
