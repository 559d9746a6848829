package org.consilium.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.consilium.analytics.durable.AtomicFile;
import org.consilium.coordinator.config.CoordinatorConfig;
import org.consilium.coordinator.gateway.Members;

/**
 * The administrator's side of a site's certificate lifecycle, on the folder that provisioning
 * created: sign a site's request (a new member, or a renewal that supersedes its certificate),
 * and revoke a member. Each changes the CA's records, the coordinator kit's members file and
 * revocation list, and nothing in any other site's kit: a running coordinator re-reads both
 * files, cuts off what is no longer trusted and relays the new list to the nodes.
 *
 * <pre>
 *   out/sites/ID/{node.crt, ca.crt, crl.pem, dictionary.yaml, node.yaml}   what goes back to a new site
 * </pre>
 */
public final class Enrolment {
  static final Duration VALIDITY = Duration.ofDays(825);
  private final Path out;
  private final CaFolder ca;
  private final Path coordinatorKit;

  private Enrolment(Path out, CaFolder ca) {
    this.out = out;
    this.ca = ca;
    this.coordinatorKit = out.resolve("coordinator");
  }

  /** The consortium provisioned in out (its ca/ and coordinator/ folders). */
  public static Enrolment of(Path out) {
    if (!Files.isRegularFile(out.resolve("coordinator/members.yaml"))) {
      throw new IllegalArgumentException(out + " holds no coordinator kit with members.yaml: give the folder that provisioning created");
    }
    return new Enrolment(out, CaFolder.open(out.resolve("ca"), new SecureRandom()));
  }

  /** A signed request: the certificate, where the site's files are, and the certificates it superseded. */
  public record Signed(String id, X509Certificate certificate, Path siteFolder, List<BigInteger> superseded) {}

  /**
   * Certifies a site's key. A new id becomes a member (renew must be false); a member's new key
   * or renewed certificate (renew true) replaces its pinned certificate, and its earlier ones
   * are revoked as superseded.
   */
  public Signed sign(SigningRequest request, boolean renew, Duration validity) {
    String id = request.id();
    Members members = Members.load(coordinatorKit.resolve("members.yaml"));
    if (members.isMember(id) && !renew) {
      throw new IllegalArgumentException("'" + id + "' is already a member: to give it a new certificate, sign with --renew");
    }
    if (!members.isMember(id) && renew) {
      throw new IllegalArgumentException("'" + id + "' is not a member, so there is nothing to renew: sign without --renew to admit it");
    }
    try {
      List<X509Certificate> earlier = ca.unrevoked(id);
      X509Certificate cert = ca.pki().certify(id, "node", List.of(), request.publicKey(), validity);
      ca.record(cert);
      String digest = Members.fingerprint(cert);
      Path site = out.resolve("sites").resolve(id);
      Files.createDirectories(site);
      write(site.resolve("node.crt"), ConsortiumPki.pem(cert));
      write(site.resolve("ca.crt"), ConsortiumPki.pem(ca.caCertificate()));
      if (renew) {
        members.rotate(id, digest);
        if (!earlier.isEmpty()) publish(ca.revoke(earlier, java.security.cert.CRLReason.SUPERSEDED.ordinal()));
      } else {
        write(site.resolve("dictionary.yaml"), Files.readString(coordinatorKit.resolve("dictionary.yaml")));
        write(site.resolve("node.yaml"), newSiteConfig(id));
        members.admit(id, digest);
      }
      write(site.resolve("crl.pem"), Files.readString(ca.revocationListFile()));
      return new Signed(id, cert, site, earlier.stream().map(X509Certificate::getSerialNumber).toList());
    } catch (IOException e) {
      throw new UncheckedIOException("signing the request of '" + id + "' failed: " + e.getMessage(), e);
    }
  }

  /** What a revocation did: the certificates revoked and the number of the new revocation list. */
  public record Revoked(String id, List<BigInteger> serials, boolean wasMember) {}

  /** Revokes every certificate of id and ends its membership. Refused for an id the CA never certified. */
  public Revoked revoke(String id, java.security.cert.CRLReason reason) {
    try {
      List<X509Certificate> certs = ca.unrevoked(id);
      Members members = Members.load(coordinatorKit.resolve("members.yaml"));
      if (certs.isEmpty() && !members.isMember(id)) {
        throw new IllegalArgumentException("the CA has no unrevoked certificate of '" + id + "' and it is not a member");
      }
      if (!certs.isEmpty()) publish(ca.revoke(certs, reason.ordinal()));
      boolean wasMember = members.remove(id);
      return new Revoked(id, certs.stream().map(X509Certificate::getSerialNumber).toList(), wasMember);
    } catch (IOException e) {
      throw new UncheckedIOException("revoking '" + id + "' failed: " + e.getMessage(), e);
    }
  }

  /**
   * Re-signs the revocation list with the same entries and the next number, current for another
   * year (a list is due for replacement a year after it was signed); returns its number.
   */
  public BigInteger renewRevocationList() {
    try {
      String pem = ca.revoke(List.of(), 0);
      publish(pem);
      return org.consilium.analytics.identity.RevocationList.parse(pem.getBytes(StandardCharsets.US_ASCII), ca.caCertificate()).number();
    } catch (IOException e) {
      throw new UncheckedIOException("re-signing the revocation list failed: " + e.getMessage(), e);
    }
  }

  /** The coordinator kit's copy of the list: the coordinator re-reads it and relays it to the nodes. */
  private void publish(String crlPem) throws IOException {
    AtomicFile.write(coordinatorKit.resolve("crl.pem"), crlPem.getBytes(StandardCharsets.UTF_8));
  }

  /** A new site's configuration: the coordinator instances of the kit, its files; datasets for the site to add. */
  private String newSiteConfig(String id) throws IOException {
    List<Path> configs;
    try (Stream<Path> files = Files.list(coordinatorKit)) {
      configs = files.filter(f -> f.getFileName().toString().matches("coordinator(-[0-9]+)?\\.yaml")).sorted().toList();
    }
    if (configs.isEmpty()) throw new IllegalArgumentException(coordinatorKit + " holds no coordinator.yaml");
    List<CoordinatorConfig> instances = configs.stream().map(c -> CoordinatorConfig.load(c, Map.of())).toList();
    return Provisioner.nodeConfigHead(id, instances.get(0).nodesHost(), instances.stream().map(CoordinatorConfig::nodesPort).toList())
        + "# This site's data: one block per dataset of the consortium's dictionary (dictionary.yaml), e.g.\n"
        + "# datasets:\n#   heart-disease:\n#     path: '/data/heart-disease.csv'\n"
        + "# or a PostgreSQL table, query or OMOP CDM mapping (jdbc_url, table | query | omop_mapping, user, password_file);\n"
        + "# every key is in node/README.md.\n";
  }

  private static void write(Path file, String text) throws IOException {
    AtomicFile.write(file, text.getBytes(StandardCharsets.UTF_8));
  }
}
