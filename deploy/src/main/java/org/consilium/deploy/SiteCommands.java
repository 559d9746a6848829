package org.consilium.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CRLReason;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.consilium.analytics.durable.AtomicFile;
import org.consilium.analytics.identity.CertificateExpiry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code consilium provision request | sign | revoke}: a site's certificate lifecycle after provisioning. */
final class SiteCommands {
  private SiteCommands() {}

  /** The provisioning folder the administrator's commands work on. */
  static final class ConsortiumFolder {
    @Option(names = "--consortium", required = true, description = "the folder provisioning created (ca/, coordinator/)")
    Path path;
  }

  /** At the site: a new key (it never leaves the site) and a request for the administrator. */
  @Command(name = "request", mixinStandardHelpOptions = true,
      description = "At a site: generate this node's key (node.key, owner-only) and a certificate request (node.csr) for the administrator.")
  static final class Request implements Callable<Integer> {
    @Option(names = "--id", required = true, description = "this site's node id (lower-case letters, digits, dashes)")
    String id;

    @Option(names = "--out", required = true, description = "the site's kit folder; node.key must not exist there yet")
    Path out;

    @Override
    public Integer call() {
      try {
        Files.createDirectories(out);
        Path key = out.resolve("node.key");
        if (Files.exists(key)) {
          System.err.println("consilium provision request: " + key + " exists; refusing to replace a key (move it away first)");
          return 1;
        }
        SigningRequest.Created created = SigningRequest.create(id, new SecureRandom());
        AtomicFile.writeOwnerOnly(key, ConsortiumPki.pem(created.keys().getPrivate()).getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(out.resolve("node.csr"), created.pem().getBytes(StandardCharsets.UTF_8));
        System.out.println("key " + key + " (keep it here) and request " + out.resolve("node.csr") + " for '" + id
            + "': send the request to the consortium administrator");
        return 0;
      } catch (IOException | RuntimeException e) {
        System.err.println("consilium provision request: " + e.getMessage());
        return 1;
      }
    }
  }

  /** The administrator: certify a site's request, admitting it or renewing its certificate. */
  @Command(name = "sign", mixinStandardHelpOptions = true,
      description = {"Certify a site's request: a new member (no other kit changes), or with --renew a member's new certificate",
          "(its earlier ones are revoked as superseded). The site's files go to CONSORTIUM/sites/ID/."})
  static final class Sign implements Callable<Integer> {
    @Mixin
    ConsortiumFolder folder;

    @Option(names = "--csr", required = true, description = "the site's request (node.csr)")
    Path csr;

    @Option(names = "--renew", description = "replace the certificate of an existing member")
    boolean renew;

    @Option(names = "--days", defaultValue = "825", description = "validity in days (default: ${DEFAULT-VALUE})")
    int days;

    @Override
    public Integer call() {
      try {
        if (days < 1 || days > 825) throw new IllegalArgumentException("--days must be 1 to 825, got " + days);
        SigningRequest request = SigningRequest.parse(Files.readString(csr), csr.toString());
        Enrolment.Signed signed = Enrolment.of(folder.path).sign(request, renew, Duration.ofDays(days));
        System.out.println((renew ? "renewed" : "admitted") + " '" + signed.id() + "': certificate serial "
            + signed.certificate().getSerialNumber().toString(16) + ", valid until " + signed.certificate().getNotAfter().toInstant()
            + " (warned from " + CertificateExpiry.WARN_DAYS + " days before)");
        if (!signed.superseded().isEmpty()) System.out.println("  revoked as superseded: " + signed.superseded().size() + " earlier certificate(s)");
        System.out.println("  send the site the files in " + signed.siteFolder() + (renew ? " (node.crt replaces its certificate)"
            : " (it adds its datasets to node.yaml)"));
        System.out.println("  a running coordinator applies the change within seconds; no other kit changes");
        return 0;
      } catch (IOException | RuntimeException e) {
        System.err.println("consilium provision sign: " + e.getMessage());
        return 1;
      }
    }
  }

  /** The administrator: revoke a member's certificates and end its membership. */
  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revoke every certificate of a member and end its membership; the coordinator cuts it off and relays the new revocation list.")
  static final class Revoke implements Callable<Integer> {
    @Mixin
    ConsortiumFolder folder;

    @Option(names = "--id", required = true, description = "the node id to revoke")
    String id;

    @Option(names = "--reason", defaultValue = "CESSATION_OF_OPERATION",
        description = "KEY_COMPROMISE, AFFILIATION_CHANGED, SUPERSEDED, CESSATION_OF_OPERATION or PRIVILEGE_WITHDRAWN (default: ${DEFAULT-VALUE})")
    CRLReason reason;

    @Override
    public Integer call() {
      try {
        Enrolment.Revoked r = Enrolment.of(folder.path).revoke(id, reason);
        System.out.println("revoked '" + r.id() + "': " + r.serials().size() + " certificate(s) (" + reason + ")"
            + (r.wasMember() ? "; no longer a member" : ""));
        System.out.println("  the revocation list is " + folder.path.resolve("ca/crl.pem") + " (copied to the coordinator kit)");
        return 0;
      } catch (RuntimeException e) {
        System.err.println("consilium provision revoke: " + e.getMessage());
        return 1;
      }
    }
  }

  /** The administrator: a fresh revocation list before the current one is due (yearly). */
  @Command(name = "crl", mixinStandardHelpOptions = true,
      description = "Re-sign the revocation list (same entries, next number, current for another year); the coordinator relays it.")
  static final class RenewList implements Callable<Integer> {
    @Mixin
    ConsortiumFolder folder;

    @Override
    public Integer call() {
      try {
        System.out.println("revocation list number " + Enrolment.of(folder.path).renewRevocationList() + " signed, current for "
            + CaFolder.CRL_VALIDITY.toDays() + " days");
        return 0;
      } catch (RuntimeException e) {
        System.err.println("consilium provision crl: " + e.getMessage());
        return 1;
      }
    }
  }
}
