package org.consilium.coordinator.api;

import org.consilium.coordinator.access.Role;

/**
 * Who is making a request: a console user with a session (sessionToken and csrfToken set) or
 * the holder of the administrator's API token from the startup kit (both null).
 */
record Principal(String name, Role role, String sessionToken, String csrfToken) {
  static final String KEY = "consilium.principal";
  static final String API_TOKEN_USER = "admin-token";

  boolean hasSession() {
    return sessionToken != null;
  }
}
