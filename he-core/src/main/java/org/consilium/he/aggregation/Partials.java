package org.consilium.he.aggregation;

import org.consilium.he.threshold.PartialDecryption;

/** One party's partial decryptions of the summed vector, one per ciphertext, with their proof. */
public record Partials(String party, PartialDecryption decryption) {}
