package org.consilium.analytics.dp;

import java.util.List;
import org.consilium.analytics.wire.NoiseComponent;
import org.consilium.analytics.wire.PrivacyAccounting;

/**
 * The privacy accounting of one job's noise, the same for every computation: which components
 * are released, each one's aggregate Skellam parameter mu and encoded unit, and the (epsilon,
 * delta) they spend together. Every contributor adds Sk(mu / t), so a release from c >= t
 * contributors carries Sk(mu c / t): in data units its standard deviation is
 * sqrt(2 mu c / t) / unit ({@link #stddev}). An exact release has no components.
 */
public final class Accounting {
  /**
   * One released component: its sensitivities in encoded units (0 where the computation does
   * not report them, e.g. a training job's per-round gradient), its aggregate mu, and what one
   * data unit encodes to.
   */
  public record Component(String name, double l1Sensitivity, double l2Sensitivity, double mu, double unit) {
    public static Component of(NoiseComponentSpec spec, double mu, double unit) {
      return new Component(spec.name(), spec.l1Sensitivity(), spec.l2Sensitivity(), mu, unit);
    }

    /** The fixed-point fractional bits of the unit (0 when the unit is not a power of two). */
    int fractionalBits() {
      int e = Math.getExponent(unit);
      return unit == Math.scalb(1.0, e) && e > 0 ? e : 0;
    }
  }

  private static final Accounting EXACT = new Accounting("none (exact release)", List.of(), null, Double.NaN);
  private final String mechanism;
  private final List<Component> components;
  private final SkellamAccountant.Spent spent;
  private final double delta;

  private Accounting(String mechanism, List<Component> components, SkellamAccountant.Spent spent, double delta) {
    this.mechanism = mechanism;
    this.components = List.copyOf(components);
    this.spent = spent;
    this.delta = delta;
  }

  /**
   * The noise of a release of counts (every component in {@link SkellamAccountant#COUNT_UNIT}s)
   * calibrated to (epsilon, delta) over these components; exact for an infinite epsilon.
   */
  public static Accounting ofCounts(String mechanism, List<NoiseComponentSpec> components, double epsilon, double delta) {
    if (Double.isInfinite(epsilon)) return exact();
    SkellamAccountant.Calibration cal = SkellamAccountant.calibrate(components, epsilon, delta);
    List<Component> out = new java.util.ArrayList<>();
    for (int i = 0; i < components.size(); i++) out.add(Component.of(components.get(i), cal.mu()[i], SkellamAccountant.COUNT_UNIT));
    return noisy(mechanism, out, cal.spent(), delta);
  }

  /** No noise: the job releases its exact result (only where every node's policy allows it). */
  public static Accounting exact() {
    return EXACT;
  }

  /** Noise whose components together spent what the calibration says, at delta. */
  public static Accounting noisy(String mechanism, List<Component> components, SkellamAccountant.Spent spent, double delta) {
    if (components.isEmpty()) throw new IllegalArgumentException("a noisy release has at least one component");
    return new Accounting(mechanism, components, spent, delta);
  }

  public boolean isExact() {
    return spent == null;
  }

  /** Epsilon spent (infinite for an exact release). */
  public double epsilon() {
    return isExact() ? Double.POSITIVE_INFINITY : spent.epsilon();
  }

  /** Each component's aggregate mu, in order. */
  public double[] mu() {
    return components.stream().mapToDouble(Component::mu).toArray();
  }

  public List<Component> components() {
    return components;
  }

  /** The one formula: the standard deviation, in data units, of a component released from contributors out of threshold. */
  public static double stddev(double mu, double unit, int contributors, int threshold) {
    return Math.sqrt(2 * mu * contributors / threshold) / unit;
  }

  public double stddev(int component, int contributors, int threshold) {
    Component c = components.get(component);
    return stddev(c.mu(), c.unit(), contributors, threshold);
  }

  /** What is released beside a result: the mechanism, what it spent, and each component's noise as released. */
  public PrivacyAccounting release(int threshold, List<String> contributors, List<String> dropped) {
    PrivacyAccounting.Builder b = PrivacyAccounting.newBuilder().setMechanism(mechanism).setThreshold(threshold)
        .addAllContributors(contributors).addAllDropped(dropped);
    if (isExact()) return b.setEpsilon(Double.POSITIVE_INFINITY).build();
    b.setEpsilon(spent.epsilon()).setDelta(delta).setRdpOrder(spent.order()).setConversion(SkellamAccountant.CONVERSION)
        .setNoiseFactor(Math.sqrt((double) contributors.size() / threshold));
    for (Component c : components) {
      b.addComponents(NoiseComponent.newBuilder().setName(c.name()).setL1Sensitivity(c.l1Sensitivity())
          .setL2Sensitivity(c.l2Sensitivity()).setMu(c.mu()).setFractionalBits(c.fractionalBits())
          .setStddev(stddev(c.mu(), c.unit(), contributors.size(), threshold)));
    }
    return b.build();
  }
}
