package org.consilium.mpc.arith;

/** An arithmetic protocol ready to run at one party; built by {@link Protocols}. */
public final class Protocol {
  private final Step step;

  Protocol(Step step) {
    this.step = step;
  }

  Step step() {
    return step;
  }
}
