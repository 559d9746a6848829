package org.consilium.analytics.fairness;

import java.util.ArrayList;
import java.util.List;
import org.consilium.analytics.wire.BiasAuditSpec;
import org.consilium.analytics.wire.GroupPolicy;
import org.consilium.analytics.wire.MitigationResult;
import org.consilium.analytics.wire.PolicyComponent;

/**
 * Fairlearn's ThresholdOptimizer (Hardt, Price and Srebro 2016, "Equality of Opportunity in
 * Supervised Learning"), from per-group score histograms that nodes sum securely: each group's
 * ROC convex hull, the common operating point that maximises expected accuracy, and per group
 * the randomised classifier that reaches it.
 *
 * <ul>
 *   <li>Equalized odds: on a grid of false positive rates x (1,001 points), the best true
 *       positive rate every group can reach is the least of their hulls at x; the x of highest
 *       accuracy (P y + N (1 - x)) / n wins. A group whose hull lies above that point mixes its
 *       hull point with the chance classifier (positive with probability x, whatever the score),
 *       which lowers its true positive rate alone.</li>
 *   <li>True positive rate parity: on a grid of true positive rates y, each group takes its
 *       least false positive rate at y; the y of highest total accuracy wins.</li>
 * </ul>
 * The decisions are randomised: that is the price of exact parity between groups whose score
 * distributions differ, and the model and its card say so. The "after" metrics are expected values.
 */
public final class ThresholdOptimizer {
  static final int GRID = 1000;

  private ThresholdOptimizer() {}

  public enum Constraint { EQUALIZED_ODDS, TRUE_POSITIVE_RATE_PARITY }

  public static MitigationResult optimize(Constraint constraint, List<String> features, List<ThresholdMitigation.GroupHistogram> histograms,
      double minGroupSize, BiasAuditSpec audit) {
    List<CutCounts> groups = histograms.stream().map(CutCounts::new).toList();
    MitigationResult.Builder r = MitigationResult.newBuilder().setMethod(constraint == Constraint.EQUALIZED_ODDS
        ? "ThresholdOptimizer for equalized odds (Hardt et al. 2016, Fairlearn's algorithm): a randomised classifier per group"
        : "ThresholdOptimizer for true positive rate parity (Hardt et al. 2016, Fairlearn's algorithm): a randomised classifier per group");
    r.setAccuracyBefore(ThresholdMitigation.accuracyAtHalf(groups));
    for (CutCounts g : groups) {
      if (g.positives() == 0 || g.negatives() == 0) {
        return r.setNotApplied("group '" + g.group + "' has no " + (g.positives() == 0 ? "positive" : "negative")
            + " evaluation rows: its ROC is undefined, so no operating point can be shared").build();
      }
    }
    List<RocHull> hulls = groups.stream().map(RocHull::new).toList();
    List<GroupPolicy> policies = constraint == Constraint.EQUALIZED_ODDS ? equalizedOdds(groups, hulls, r) : tprParity(groups, hulls, r);
    List<Fairness.Confusion> after = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) after.add(expected(groups.get(i), policies.get(i)));
    return r.addAllPolicies(policies).setAfter(Fairness.report(features, after, minGroupSize, audit))
        .setAccuracyAfter(ThresholdMitigation.accuracy(after)).build();
  }

  private static List<GroupPolicy> equalizedOdds(List<CutCounts> groups, List<RocHull> hulls, MitigationResult.Builder r) {
    double p = groups.stream().mapToDouble(CutCounts::positives).sum();
    double n = groups.stream().mapToDouble(CutCounts::negatives).sum();
    double bestX = 0;
    double bestY = 0;
    double best = Double.NEGATIVE_INFINITY;
    for (int j = 0; j <= GRID; j++) {
      double x = (double) j / GRID;
      double y = Double.POSITIVE_INFINITY;
      for (RocHull h : hulls) y = Math.min(y, h.atFpr(x).tpr());
      double accuracy = (p * y + n * (1 - x)) / (p + n);
      if (accuracy > best + 1e-12) {
        best = accuracy;
        bestX = x;
        bestY = y;
      }
    }
    r.setFalsePositiveRate(bestX).setTruePositiveRate(bestY);
    List<GroupPolicy> out = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      RocHull.Mix m = hulls.get(i).atFpr(bestX);
      double above = m.tpr() - bestX;
      // Lower the group's true positive rate to the shared one by deciding some records by chance.
      double chance = above > 1e-12 ? Math.min(1, Math.max(0, (m.tpr() - bestY) / above)) : 0;
      GroupPolicy.Builder policy = policy(groups.get(i), m, 1 - chance);
      if (chance > 1e-12) policy.addComponents(component(chance).setChance(bestX));
      out.add(policy.build());
    }
    return out;
  }

  private static List<GroupPolicy> tprParity(List<CutCounts> groups, List<RocHull> hulls, MitigationResult.Builder r) {
    double rows = groups.stream().mapToDouble(CutCounts::rows).sum();
    double bestY = 0;
    double best = Double.NEGATIVE_INFINITY;
    for (int j = 0; j <= GRID; j++) {
      double y = (double) j / GRID;
      double correct = 0;
      for (int i = 0; i < groups.size(); i++) {
        correct += groups.get(i).positives() * y + groups.get(i).negatives() * (1 - hulls.get(i).atTpr(y).fpr());
      }
      if (correct / rows > best + 1e-12) {
        best = correct / rows;
        bestY = y;
      }
    }
    r.setFalsePositiveRate(Double.NaN).setTruePositiveRate(bestY);
    List<GroupPolicy> out = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) out.add(policy(groups.get(i), hulls.get(i).atTpr(bestY), 1).build());
    return out;
  }

  /** The mix of two cuts, with all of its weight scaled by share; components of zero probability are left out. */
  private static GroupPolicy.Builder policy(CutCounts g, RocHull.Mix m, double share) {
    GroupPolicy.Builder b = GroupPolicy.newBuilder().setGroup(g.group);
    if (m.from().cut() == m.to().cut()) {
      b.addComponents(component(share).setThreshold(g.threshold(m.from().cut())));
    } else {
      b.addComponents(component(share * (1 - m.w())).setThreshold(g.threshold(m.from().cut())));
      b.addComponents(component(share * m.w()).setThreshold(g.threshold(m.to().cut())));
    }
    List<PolicyComponent> kept = b.getComponentsList().stream().filter(c -> c.getProbability() > 1e-12).toList();
    return b.clearComponents().addAllComponents(kept);
  }

  private static PolicyComponent.Builder component(double probability) {
    return PolicyComponent.newBuilder().setProbability(probability);
  }

  /** The expected confusion matrix of a group under its randomised policy. */
  static Fairness.Confusion expected(CutCounts g, GroupPolicy policy) {
    double tp = 0;
    double fp = 0;
    for (PolicyComponent c : policy.getComponentsList()) {
      if (c.getRuleCase() == PolicyComponent.RuleCase.CHANCE) {
        tp += c.getProbability() * c.getChance() * g.positives();
        fp += c.getProbability() * c.getChance() * g.negatives();
      } else {
        int cut = (int) Math.min(g.bins, Math.round(c.getThreshold() * g.bins));
        tp += c.getProbability() * g.tp(cut);
        fp += c.getProbability() * g.fp(cut);
      }
    }
    return new Fairness.Confusion(g.group, tp, fp, g.positives() - tp, g.negatives() - fp);
  }
}
