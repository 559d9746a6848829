package org.consilium.coordinator.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.coordinator.access.ConsoleUser;
import org.consilium.coordinator.access.LoginThrottle;
import org.consilium.coordinator.access.Role;
import org.consilium.coordinator.access.Sessions;
import org.consilium.coordinator.access.UserStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call what. Every /api route needs a principal: a console session (cookie, plus the
 * session's CSRF token in the X-CSRF-Token header on anything but GET), or the administrator's
 * API token as a Bearer credential (for scripts; no cookie, so no CSRF). Login is the one
 * exception. Passwords, tokens and unknown user names are never logged; logins, logouts and
 * lock-outs of known users go to the audit log.
 */
final class AccessControl {
  static final String COOKIE = "consilium_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final Logger log = LoggerFactory.getLogger(AccessControl.class);
  private static final int MAX_CONCURRENT_CHECKS = 4;
  private final java.util.concurrent.atomic.AtomicInteger verifying = new java.util.concurrent.atomic.AtomicInteger();
  private final Vertx vertx;
  private final UserStore users;
  private final Sessions sessions;
  private final LoginThrottle throttle;
  private final AdminCredential apiToken;
  private final AuditLog audit;

  AccessControl(Vertx vertx, UserStore users, Sessions sessions, LoginThrottle throttle, AdminCredential apiToken, AuditLog audit) {
    this.vertx = vertx;
    this.users = users;
    this.sessions = sessions;
    this.throttle = throttle;
    this.apiToken = apiToken;
    this.audit = audit;
  }

  /** Sets the principal for the request or answers 401 (no credential) / 403 (missing CSRF token). */
  void authenticate(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.POST && ctx.request().path().equals("/api/v1/session")) {
      ctx.next();
      return;
    }
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization != null) {
      if (apiToken.accepts(authorization)) {
        ctx.put(Principal.KEY, new Principal(Principal.API_TOKEN_USER, Role.ADMIN, null, null));
        ctx.next();
      } else {
        RestApi.error(ctx, 401, "the Authorization header does not carry a valid API token");
      }
      return;
    }
    Cookie cookie = ctx.request().getCookie(COOKIE);
    Optional<Sessions.Session> session = cookie == null ? Optional.empty() : sessions.use(cookie.getValue());
    if (session.isEmpty()) {
      RestApi.error(ctx, 401, cookie == null ? "sign in first: no session" : "the session has expired; sign in again");
      return;
    }
    Sessions.Session s = session.get();
    HttpMethod m = ctx.request().method();
    if (m != HttpMethod.GET && m != HttpMethod.HEAD && !constantTimeEquals(ctx.request().getHeader(CSRF_HEADER), s.csrfToken())) {
      RestApi.error(ctx, 403, "a change needs the session's " + CSRF_HEADER + " header");
      return;
    }
    ctx.put(Principal.KEY, new Principal(s.user(), s.role(), cookie.getValue(), s.csrfToken()));
    ctx.next();
  }

  /** A route guard: 403 unless the principal's role includes the required one. */
  Handler<RoutingContext> require(Role required) {
    return ctx -> {
      Principal p = principal(ctx);
      if (p.role().includes(required)) ctx.next();
      else RestApi.error(ctx, 403, "this needs the " + required.label() + " role; '" + p.name() + "' is " + p.role().label());
    };
  }

  static Principal principal(RoutingContext ctx) {
    return ctx.get(Principal.KEY);
  }

  /** POST /api/v1/session {username, password}: a new session, or 400/401/415/429. */
  void login(RoutingContext ctx) {
    // Only JSON: a cross-site form cannot send it without a CORS preflight, which this server never grants.
    String type = ctx.request().getHeader("content-type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      RestApi.error(ctx, 415, "sign in with Content-Type: application/json");
      return;
    }
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException e) {
      body = null;
    }
    String name = body == null ? null : body.getString("username");
    String password = body == null ? null : body.getString("password");
    if (name == null || name.isBlank() || password == null || password.isEmpty()) {
      RestApi.error(ctx, 400, "sign in with a JSON body {\"username\": ..., \"password\": ...}");
      return;
    }
    String from = ctx.request().remoteAddress().host();
    Duration locked = throttle.lockedFor(name, from);
    if (!locked.isZero()) {
      ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, locked.toSeconds())));
      RestApi.error(ctx, 429, "too many failed sign-ins; try again in " + Math.max(1, locked.toSeconds()) + " s");
      return;
    }
    // Each check costs a deliberate ~0.3 s of CPU: a few at a time, so that a flood of sign-ins
    // (with ever new names, which the throttle cannot hold back) cannot starve the coordinator.
    if (verifying.incrementAndGet() > MAX_CONCURRENT_CHECKS) {
      verifying.decrementAndGet();
      ctx.response().putHeader("Retry-After", "1");
      RestApi.error(ctx, 429, "too many sign-ins at once; try again in a second");
      return;
    }
    char[] secret = password.toCharArray();
    Future<Optional<ConsoleUser>> check = vertx.executeBlocking(() -> users.authenticate(name, secret), false);
    check.onComplete(done -> verifying.decrementAndGet());
    check.onFailure(ctx::fail).onSuccess(user -> {
      java.util.Arrays.fill(secret, '\0');
      if (user.isEmpty()) {
        throttle.failed(name, from);
        if (users.knows(name)) {
          log.warn("console sign-in failed for user '{}' from {}", name, ctx.request().remoteAddress().host());
          audit.append("console.login_failed", "", "user", name, "from", ctx.request().remoteAddress().host());
        } else {
          log.warn("console sign-in failed for an unknown user name from {}", ctx.request().remoteAddress().host());
        }
        RestApi.error(ctx, 401, users.isEmpty() ? "no console users are configured (console.users_file)" : "wrong user name or password");
        return;
      }
      throttle.succeeded(name, from);
      Cookie previous = ctx.request().getCookie(COOKIE);
      if (previous != null) sessions.close(previous.getValue()); // signing in again ends the browser's earlier session
      Sessions.Opened opened = sessions.open(user.get());
      ctx.response().addCookie(sessionCookie(opened.token()));
      log.info("console sign-in: '{}' ({})", user.get().name(), user.get().role().label());
      audit.append("console.login", "", "user", user.get().name(), "role", user.get().role().label(),
          "from", ctx.request().remoteAddress().host());
      ctx.json(describe(opened.session()));
    });
  }

  /** GET /api/v1/session: who is signed in (and the CSRF token the page needs after a reload). */
  void whoAmI(RoutingContext ctx) {
    Principal p = principal(ctx);
    JsonObject j = new JsonObject().put("user", p.name()).put("role", p.role().label());
    if (p.hasSession()) j.put("csrfToken", p.csrfToken()).put("idleTimeoutSeconds", sessions.idleTimeout().toSeconds());
    ctx.json(j);
  }

  /** DELETE /api/v1/session: ends the session and clears the cookie. */
  void logout(RoutingContext ctx) {
    Principal p = principal(ctx);
    if (p.hasSession()) {
      sessions.close(p.sessionToken());
      audit.append("console.logout", "", "user", p.name());
    }
    ctx.response().addCookie(sessionCookie("").setMaxAge(0));
    ctx.response().setStatusCode(204).end();
  }

  /** For long-lived responses (event streams): is the request's session still live? */
  boolean stillLive(Principal p) {
    return !p.hasSession() || sessions.isLive(p.sessionToken());
  }

  /** The session cookie: HTTPS only, out of the page's script's reach, never sent cross-site. */
  private static Cookie sessionCookie(String value) {
    return Cookie.cookie(COOKIE, value).setPath("/").setSecure(true).setHttpOnly(true).setSameSite(CookieSameSite.STRICT);
  }

  private JsonObject describe(Sessions.Session s) {
    return new JsonObject().put("user", s.user()).put("role", s.role().label()).put("csrfToken", s.csrfToken())
        .put("expiresAt", s.expiresAt().toString()).put("idleTimeoutSeconds", sessions.idleTimeout().toSeconds());
  }

  private static boolean constantTimeEquals(String given, String expected) {
    return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }
}
