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

/** A small client for the coordinator's REST API: TLS trusting only the consortium CA, Bearer token. */
public final class RestClient {
  private final HttpClient http;
  private final URI base;
  private final String token;

  /** A response: status and body text. */
  public record Response(int status, String body) {}

  public RestClient(URI base, Path caCertificate, String token) {
    this.base = base;
    this.token = token;
    this.http = HttpClient.newBuilder().sslContext(trusting(caCertificate)).connectTimeout(Duration.ofSeconds(10)).build();
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
    return send(request(path).GET().build());
  }

  public Response post(String path, String json) {
    return send(request(path).header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  /** A request without the credential, for authorisation tests. */
  public Response getAnonymous(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
  }

  private Response send(HttpRequest r) {
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
