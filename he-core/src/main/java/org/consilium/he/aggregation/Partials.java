package org.consilium.he.aggregation;

import java.util.List;
import org.consilium.he.threshold.PartialDecryption;

/** One party's partial decryptions of the summed vector, one per ciphertext, each with its proof. */
public record Partials(String party, List<PartialDecryption> decryptions) {
  public Partials {
    decryptions = List.copyOf(decryptions);
  }
}
