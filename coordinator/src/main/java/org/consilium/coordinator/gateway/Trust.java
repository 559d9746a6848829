package org.consilium.coordinator.gateway;

import java.security.cert.X509Certificate;
import java.util.Optional;
import org.consilium.analytics.identity.Pem;
import org.consilium.analytics.identity.Revocations;
import org.consilium.coordinator.config.CoordinatorConfig;

/**
 * Whom the coordinator lets act as a node beyond a CA-issued certificate: a member whose pinned
 * certificate it is ({@link Members}) and that the consortium CA has not revoked
 * ({@link Revocations}). Both files are re-read when an administrator changes them.
 */
public final class Trust {
  private final Members members;
  private final Revocations revocations;

  Trust(Members members, Revocations revocations) {
    this.members = members;
    this.revocations = revocations;
  }

  /** The members file and the revocation list named by the configuration; throws naming a file that is wrong. */
  public static Trust load(CoordinatorConfig config) {
    return new Trust(Members.load(config.members()), Revocations.at(config.revocationList(), Pem.certificate(config.ca())));
  }

  public Members members() {
    return members;
  }

  public Revocations revocations() {
    return revocations;
  }

  /** A refusal with its wire code. */
  record Refusal(String code, String reason) {}

  /** Why this certificate may not act as node id, or empty. */
  Optional<Refusal> refusal(String id, X509Certificate cert) {
    // Revocation first: a revoked member is also removed, and "revoked" is the reason worth telling.
    Optional<String> revoked = revocations.refusal(cert);
    if (revoked.isPresent()) return Optional.of(new Refusal("revoked", revoked.get()));
    return members.refusal(id, cert).map(r -> new Refusal("not_a_member", r));
  }

  /** What changed since the last look: the members, and whether a newer revocation list was read. */
  record Changes(Members.Change members, boolean newRevocationList) {
    boolean any() {
      return newRevocationList || !members.isEmpty();
    }
  }

  /** Re-reads both files if they changed (blocking: file reads). */
  Changes refresh() {
    return new Changes(members.reloadIfChanged(), revocations.reloadIfChanged());
  }
}
