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
  /** The number of the newest revocation list {@link #refresh} has reported (or the one held at start). */
  private java.math.BigInteger reported;

  Trust(Members members, Revocations revocations) {
    this.members = members;
    this.revocations = revocations;
    this.reported = listNumber();
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
  public record Changes(Members.Change members, boolean newRevocationList) {
    public boolean any() {
      return newRevocationList || !members.isEmpty();
    }
  }

  /**
   * Re-reads both files if they changed (blocking: file reads). A newer revocation list is
   * reported once, even when a connection's check already read the file: whoever reads it first,
   * the list must still be audited and relayed to every node.
   */
  public synchronized Changes refresh() {
    Members.Change changed = members.reloadIfChanged();
    revocations.reloadIfChanged();
    java.math.BigInteger now = listNumber();
    boolean newer = now != null && !now.equals(reported);
    reported = now;
    return new Changes(changed, newer);
  }

  private java.math.BigInteger listNumber() {
    return revocations.current().map(org.consilium.analytics.identity.RevocationList::number).orElse(null);
  }
}
