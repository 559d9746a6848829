package org.consilium.analytics;

/** The version of Consilium's programs, as nodes announce it and the model registry records it. */
public final class SoftwareVersion {
  public static final String CURRENT = "0.1.0";

  private SoftwareVersion() {}
}
