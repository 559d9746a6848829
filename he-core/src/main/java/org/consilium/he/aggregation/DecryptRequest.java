package org.consilium.he.aggregation;

import java.util.List;

/** The contributions the server added up; each decrypting party checks and re-adds them itself. */
public record DecryptRequest(List<Contribution> contributions) {
  public DecryptRequest {
    contributions = List.copyOf(contributions);
  }
}
