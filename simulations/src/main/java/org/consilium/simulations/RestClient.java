package org.consilium.simulations;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A small client for the coordinator's REST API over TLS trusting only the consortium CA. It
 * carries one credential: the administrator's API token (Bearer), a console session (its cookie,
 * and its CSRF token on changes), or none at all (for authorisation tests).
 */
public final class RestClient {
  private final HttpClient http;
  private final URI base;
  private final Path caCertificate;
  private final String token;
  private final String cookie;
  private final String csrf;
  private final String contentType;

  /** A response: status and body text. */
  public record Response(int status, String body) {}

  public RestClient(URI base, Path caCertificate, String token) {
    this(base, caCertificate, token, null, null, "application/json");
  }

  private RestClient(URI base, Path caCertificate, String token, String cookie, String csrf, String contentType) {
    this.base = base;
    this.caCertificate = caCertificate;
    this.token = token;
    this.cookie = cookie;
    this.csrf = csrf;
    this.contentType = contentType;
    this.http = HttpClient.newBuilder().sslContext(trusting(caCertificate)).connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** The same server with no credential at all. */
  public RestClient anonymous() {
    return new RestClient(base, caCertificate, null, null, null, contentType);
  }

  /** Signs in to the console as user; the returned client carries that session (and its CSRF token). */
  public RestClient signIn(String user, String password) {
    HttpRequest r = HttpRequest.newBuilder(base.resolve("api/v1/session")).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new io.vertx.core.json.JsonObject().put("username", user).put("password", password).encode()))
        .build();
    try {
      HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) throw new IllegalStateException("sign-in as " + user + " failed: " + resp.statusCode() + " " + resp.body());
      String setCookie = resp.headers().firstValue("set-cookie").orElseThrow(() -> new IllegalStateException("sign-in set no cookie"));
      String csrfToken = new io.vertx.core.json.JsonObject(resp.body()).getString("csrfToken");
      return new RestClient(base, caCertificate, null, setCookie.split(";", 2)[0], csrfToken, contentType);
    } catch (IOException e) {
      throw new IllegalStateException("sign-in failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The same credentials (token or console session) at another server, e.g. another coordinator instance. */
  public RestClient at(URI otherBase) {
    return new RestClient(otherBase, caCertificate, token, cookie, csrf, contentType);
  }

  /** This session's cookie without its CSRF token: what a cross-site form post would carry. */
  public RestClient withoutCsrf() {
    return new RestClient(base, caCertificate, token, cookie, null, contentType);
  }

  /** Bodies declared as text/plain: what a cross-site HTML form can send without a CORS preflight. */
  public RestClient asForm() {
    return new RestClient(base, caCertificate, token, cookie, csrf, "text/plain");
  }

  static SSLContext trusting(Path caCertificate) {
    try (InputStream in = Files.newInputStream(caCertificate)) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("consortium-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot trust " + caCertificate + ": " + e.getMessage(), e);
    }
  }

  public URI base() {
    return base;
  }

  public Response get(String path) {
    return send("GET", path, null);
  }

  public Response post(String path, String json) {
    return send("POST", path, json);
  }

  /** A request without the credential, for authorisation tests. */
  public Response getAnonymous(String path) {
    return anonymous().get(path);
  }

  /** Any method; body (JSON) may be null. */
  public Response send(String method, String path, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path.startsWith("/") ? path.substring(1) : path))
        .timeout(Duration.ofSeconds(30))
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) b.header("content-type", contentType);
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (cookie != null) b.header("Cookie", cookie);
    if (csrf != null && !method.equals("GET")) b.header("X-CSRF-Token", csrf);
    HttpRequest r = b.build();
    try {
      HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
      return new Response(resp.statusCode(), resp.body());
    } catch (IOException e) {
      throw new IllegalStateException(r.method() + " " + r.uri() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
