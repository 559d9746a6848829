package org.consilium.mpc.secagg;

/** The rounds of secure aggregation (Bonawitz et al. 2017, semi-honest variant). */
public enum Round {
  ADVERTISE_KEYS("0 advertise-keys"),
  SHARE_KEYS("1 share-keys"),
  MASKED_INPUT("2 masked-input"),
  UNMASKING("3 unmasking"),
  DONE("done");

  private final String label;

  Round(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
