package org.consilium.analytics.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.consilium.analytics.wire.BiasAudit;
import org.consilium.analytics.wire.BiasAuditMetric;
import org.consilium.analytics.wire.Coefficient;
import org.consilium.analytics.wire.FairnessReport;
import org.consilium.analytics.wire.FeatureImportance;
import org.consilium.analytics.wire.GroupDisparity;
import org.consilium.analytics.wire.GroupMetrics;
import org.consilium.analytics.wire.GroupPolicy;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.ModelCard;
import org.consilium.analytics.wire.PolicyComponent;
import org.consilium.analytics.wire.TrainedModel;

/** Builds the model card of a trained model and renders it as Markdown. */
public final class ModelCards {
  private ModelCards() {}

  public static ModelCard build(JobSpec spec, JobResult result, String releasedAt) {
    TrainedModel m = result.getModel();
    var doc = spec.getDocumentation();
    var acc = result.getAccounting();
    boolean dp = Double.isFinite(acc.getEpsilon());
    ModelCard.Builder c = ModelCard.newBuilder();
    c.setModelDetails(ModelCard.Details.newBuilder()
        .setTitle(doc.getTitle().isBlank() ? spec.getTrain().getModel() + " regression of " + spec.getTrain().getTarget() : doc.getTitle())
        .setJobId(result.getJobId()).setModelType(m.hasEbm() ? "explainable boosting machine (main effects)"
            : spec.getTrain().getModel().name().toLowerCase(Locale.ROOT) + " regression")
        .setModelVersion(m.getModelVersion()).setReleasedAt(releasedAt).setOwners(doc.getOwners())
        .addAllParticipatingNodes(acc.getContributorsList()).setAggregation(spec.getAggregation().name())
        .setOptimizerAndRounds(m.hasEbm() ? String.format(Locale.ROOT, "%d boosting steps in %d cycles; the model after cycle %d%s",
            m.getRoundsCount(), m.getEbm().getCycles(), m.getEbm().getBestCycle(),
            m.getEbm().getHoldoutLossCount() > 0 ? " (the lowest held-out loss)" : "")
            : m.getRoundsCount() + " rounds, " + (m.getConverged() ? "converged" : "stopped at the round limit")));
    c.setIntendedUse(orUnstated(doc.getIntendedUse())).setOutOfScopeUses(orUnstated(doc.getOutOfScopeUses()));
    spec.getTrain().getSensitiveFeaturesList().forEach(f -> c.addFactors(f.getColumn()));
    if (m.getAuc() > 0) c.addMetrics(String.format(Locale.ROOT, "ROC AUC: %.3f%s", m.getAuc(), interval(m.hasAucInterval(), m.getAucInterval())));
    if (m.getAccuracy() > 0) {
      c.addMetrics(String.format(Locale.ROOT, "accuracy at 0.5: %.3f%s", m.getAccuracy(), interval(m.hasAccuracyInterval(), m.getAccuracyInterval())));
    }
    for (var s : m.getSitesList()) {
      c.addMetrics(String.format(Locale.ROOT, "at %s (%.0f rows): AUC %.3f%s, accuracy %.3f%s", s.getSite(), s.getRows(), s.getAuc(),
          interval(s.hasAucInterval(), s.getAucInterval()), s.getAccuracy(), interval(s.hasAccuracyInterval(), s.getAccuracyInterval())));
    }
    c.addMetrics(String.format(Locale.ROOT, "log-loss per row: %.4f", m.getLogLoss()));
    c.setEvaluationData(spec.getTrain().getEvaluationRowsCount() > 0 ? m.getEvaluation() + ", never used for fitting"
        : m.getEvaluatedOnHoldout()
        ? String.format(Locale.ROOT, "a held-out %.0f%% of each node's rows (split seed %d), never used for fitting",
            100 * spec.getTrain().getHoldoutFraction(), spec.getTrain().getSplitSeed())
        : "the training rows (no hold-out was requested): the metrics are optimistic");
    c.setTrainingData(String.format(Locale.ROOT, "dataset '%s' at %d nodes (%s), %.0f training rows%s; missing values: %s", spec.getDataset(),
        acc.getContributorsCount(), String.join(", ", acc.getContributorsList()), m.getRows(),
        spec.getCohortCount() == 0 ? "" : ", cohort filter " + spec.getCohortList().stream()
            .map(k -> k.getColumn() + " " + k.getOp() + " " + k.getValue()).toList(),
        spec.getTrain().getMissing()));
    if (m.hasFairness()) c.setQuantitativeAnalyses(m.getFairness());
    if (m.hasMitigation()) c.setMitigation(m.getMitigation());
    if (m.hasEbm()) c.setEbm(m.getEbm());
    c.addAllCoefficients(m.getCoefficientsList()).addAllImportance(m.getImportanceList()).setPrivacy(acc);
    c.setEthicalConsiderations(orUnstated(doc.getEthicalConsiderations()));
    List<String> caveats = new ArrayList<>();
    if (!doc.getCaveats().isBlank()) caveats.add(doc.getCaveats());
    caveats.add(dp ? String.format(Locale.ROOT, "trained with differential privacy (epsilon %.3g, delta %.0e): coefficients and metrics are noisy",
        acc.getEpsilon(), acc.getDelta()) : "trained without differential privacy (an exact release the nodes' policies allowed)");
    if (m.getMitigation().getPoliciesCount() > 0) {
      caveats.add("the mitigated classifier decides at random for some records (a ThresholdOptimizer policy): two identical "
          + "records of the same group can get different decisions; its fairness and accuracy are expected values");
    }
    if (!acc.getDroppedList().isEmpty()) caveats.add("nodes that dropped out and are not in the model: " + acc.getDroppedList());
    caveats.add("sites differ strongly (non-IID); a pooled model may not transfer to any single site");
    c.addAllCaveats(caveats);
    return c.build();
  }

  /** " [low, high] (95%)" for a DP metric, nothing for an exact one. */
  private static String interval(boolean has, org.consilium.analytics.wire.Interval i) {
    return has ? String.format(Locale.ROOT, " [%.3f, %.3f] (95%% interval under the DP noise)", i.getLow(), i.getHigh()) : "";
  }

  private static String orUnstated(String s) {
    return s.isBlank() ? "not stated by the analyst" : s;
  }

  public static String markdown(ModelCard c) {
    StringBuilder md = new StringBuilder();
    var d = c.getModelDetails();
    md.append("# Model card: ").append(d.getTitle()).append("\n\n## Model details\n\n");
    md.append("- Job: `").append(d.getJobId()).append("`, released ").append(d.getReleasedAt()).append('\n');
    md.append("- Type: ").append(d.getModelType()).append(", model format version ").append(d.getModelVersion()).append('\n');
    md.append("- Owners: ").append(d.getOwners().isBlank() ? "not stated" : d.getOwners()).append('\n');
    md.append("- Trained across: ").append(String.join(", ", d.getParticipatingNodesList())).append(" (")
        .append(d.getAggregation()).append("); ").append(d.getOptimizerAndRounds()).append("\n\n");
    md.append("## Intended use\n\n").append(c.getIntendedUse()).append("\n\nOut of scope: ").append(c.getOutOfScopeUses()).append("\n\n");
    md.append("## Factors\n\n").append(c.getFactorsCount() == 0 ? "No sensitive features were declared." : String.join(", ", c.getFactorsList()))
        .append("\n\n## Metrics\n\n");
    c.getMetricsList().forEach(m -> md.append("- ").append(m).append('\n'));
    md.append("\n## Evaluation data\n\n").append(c.getEvaluationData()).append("\n\n## Training data\n\n").append(c.getTrainingData()).append("\n\n");
    md.append("## Quantitative analyses\n\n");
    if (c.hasQuantitativeAnalyses()) appendFairness(md, c.getQuantitativeAnalyses());
    else md.append("No per-group analysis (no sensitive features declared).\n");
    if (c.hasMitigation()) {
      var mit = c.getMitigation();
      md.append("\nMitigation: ").append(mit.getMethod()).append('.');
      if (!mit.getNotApplied().isEmpty()) {
        md.append(" Not applied: ").append(mit.getNotApplied()).append(".\n");
      } else {
        if (mit.getThresholdsCount() > 0) {
          md.append(" Thresholds: ").append(String.join(", ", mit.getThresholdsList().stream()
              .map(t -> String.format(Locale.ROOT, "%s %.2f", t.getGroup(), t.getThreshold())).toList())).append('.');
        }
        if (mit.getPoliciesCount() > 0) {
          md.append(" Decisions are randomised: for each record one rule of its group is drawn with its probability.\n\n")
              .append("| group | decision rule |\n|---|---|\n");
          mit.getPoliciesList().forEach(p -> md.append("| ").append(p.getGroup()).append(" | ").append(describe(p)).append(" |\n"));
        }
        if (mit.getMixtureCount() > 0) {
          md.append(String.format(Locale.ROOT, " Decisions are randomised: for each record one of these %d models is drawn with its "
              + "probability and decides (positive when its score is at least 0.5); on the training rows the mixture's largest "
              + "constraint moment is %.3f.%n%n| model | probability | coefficients (%s) |%n|---|---|---|%n", mit.getMixtureCount(),
              mit.getTrainingViolation(), String.join(", ", c.getCoefficientsList().stream().map(Coefficient::getName).toList())));
          for (int i = 0; i < mit.getMixtureCount(); i++) {
            var m = mit.getMixture(i);
            md.append(String.format(Locale.ROOT, "| %d | %.3f | %s |%n", i + 1, m.getProbability(), String.join(", ",
                m.getCoefficientsList().stream().map(v -> String.format(Locale.ROOT, "%.4f", v)).toList())));
          }
        }
        md.append(String.format(Locale.ROOT, "%nAccuracy %.3f before, %.3f after%s. After mitigation:%n%n", mit.getAccuracyBefore(),
            mit.getAccuracyAfter(), mit.getPoliciesCount() + mit.getMixtureCount() > 0 ? " (expected under the randomisation)" : ""));
        appendFairness(md, mit.getAfter());
      }
    }
    md.append("\n## Coefficients\n\n| term | coefficient | std. error | 95% interval | odds ratio |\n|---|---|---|---|---|\n");
    for (Coefficient k : c.getCoefficientsList()) {
      md.append(String.format(Locale.ROOT, "| %s | %.4f | %s | %s | %s |%n", k.getName(), k.getValue(),
          k.getStdError() > 0 ? String.format(Locale.ROOT, "%.4f", k.getStdError()) : "-",
          k.getStdError() > 0 ? String.format(Locale.ROOT, "[%.3f, %.3f]", k.getCiLow(), k.getCiHigh()) : "-",
          k.getOddsRatio() > 0 ? String.format(Locale.ROOT, "%.3f", k.getOddsRatio()) : "-"));
    }
    if (c.hasEbm()) ebm(md, c.getEbm());
    if (c.getImportanceCount() > 0) {
      md.append("\n## Feature importance\n\n| feature | permutation loss increase | mean abs SHAP |\n|---|---|---|\n");
      for (FeatureImportance i : c.getImportanceList()) {
        md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f |%n", i.getFeature(), i.getPermutationLossIncrease(), i.getMeanAbsShap()));
      }
    }
    if (c.hasRegistry()) registry(md, c.getRegistry());
    md.append("\n## Ethical considerations\n\n").append(c.getEthicalConsiderations()).append("\n\n## Caveats and recommendations\n\n");
    c.getCaveatsList().forEach(k -> md.append("- ").append(k).append('\n'));
    return md.toString();
  }

  private static void ebm(StringBuilder md, org.consilium.analytics.wire.EbmModel e) {
    md.append(String.format(Locale.ROOT, "%n## Shape functions%n%nScore = sigmoid(%.4f + the sum of each feature's term at the record's "
        + "bin%s). Terms in log odds, centred on the training rows; each with its 95%% band (%s).%n", e.getIntercept(),
        e.getInteractionsCount() > 0 ? " + each interaction's term at the record's cell" : "", e.getUncertainty()));
    if (e.getSmoothingDegree() > 0) {
      md.append(String.format(Locale.ROOT, "%nDifferentially private (DP-EBM): all %d cycles ran on noisy residual sums; numeric shapes "
          + "were smoothed by degree-%d polynomials of the bin centre and averaged over the last half of the cycles.%n", e.getCycles(),
          e.getSmoothingDegree()));
    }
    for (var s : e.getShapesList()) {
      md.append("\n- **").append(s.getFeature()).append("**: ");
      List<String> parts = new ArrayList<>();
      for (int k = 0; k < s.getScoresCount(); k++) {
        double se = k < s.getStandardErrorsCount() ? s.getStandardErrors(k) : Double.NaN;
        parts.add(String.format(Locale.ROOT, "%s %+.3f%s", bin(s, k), s.getScores(k),
            Double.isFinite(se) ? String.format(Locale.ROOT, " (±%.3f)", 1.959963984540054 * se) : ""));
      }
      md.append(String.join(", ", parts));
    }
    md.append('\n');
    if (e.getInteractionsCount() == 0) return;
    md.append("\n## Interactions\n\nPairs chosen by FAST (the gain of the best four-quadrant cut of the main effects' residuals); "
        + "each term per cell of the two features' coarse bins, in log odds.\n");
    for (var t : e.getInteractionsList()) {
      int cols = t.getB().getCategoriesCount() > 0 ? t.getB().getCategoriesCount() : t.getB().getEdgesCount() - 1;
      md.append(String.format(Locale.ROOT, "%n**%s x %s** (gain %.2f)%n%n| %s \\ %s |", t.getA().getFeature(), t.getB().getFeature(),
          t.getGain(), t.getA().getFeature(), t.getB().getFeature()));
      for (int j = 0; j < cols; j++) md.append(' ').append(bin(t.getB(), j)).append(" |");
      md.append("\n|---|").append("---|".repeat(cols)).append('\n');
      for (int i = 0; i * cols < t.getScoresCount(); i++) {
        md.append("| ").append(bin(t.getA(), i)).append(" |");
        for (int j = 0; j < cols; j++) md.append(String.format(Locale.ROOT, " %+.3f |", t.getScores(i * cols + j)));
        md.append('\n');
      }
    }
  }

  /** A DP figure's 95% interval as " [low, high] (95%, DP noise)", or nothing for an exact one. */
  private static String interval(org.consilium.analytics.wire.Interval i) {
    return i == null ? "" : String.format(Locale.ROOT, " [%.3f, %.3f] (95%%, DP noise)", i.getLow(), i.getHigh());
  }

  /** A bin's label: its category, or its [low, high) range. */
  private static String bin(org.consilium.analytics.wire.ShapeFunction s, int k) {
    return s.getCategoriesCount() > 0 ? s.getCategories(k) : String.format(Locale.ROOT, "[%.4g, %.4g)", s.getEdges(k), s.getEdges(k + 1));
  }

  private static void registry(StringBuilder md, org.consilium.analytics.wire.RegistryEntry r) {
    md.append(String.format(Locale.ROOT, "%n## Registry, data and drift%n%n- Registered as `%s` version %d, stage %s.%n", r.getModel(),
        r.getVersion(), r.getStage()));
    md.append(r.getDatasheet().isEmpty() ? "- No consortium datasheet of its dataset had been released when it was trained.\n"
        : "- Datasheet of its data: " + r.getDatasheet() + " (job `" + r.getDatasheetJobId() + "`).\n");
    md.append(String.format(Locale.ROOT, "- Drift history: %s: %d measurement(s)%s, %d alert(s).%n", r.getDriftHistory(), r.getDriftRuns(),
        r.getLastDriftAt().isEmpty() ? "" : ", the last at " + r.getLastDriftAt(), r.getDriftAlerts()));
    r.getRecentAlertsList().forEach(a -> md.append("  - ").append(a).append('\n'));
  }

  private static void appendFairness(StringBuilder md, FairnessReport f) {
    md.append("| group | rows | selection rate | TPR | FPR | precision | accuracy |\n|---|---|---|---|---|---|---|\n");
    for (GroupMetrics g : f.getGroupsList()) {
      if (g.getSuppressed()) {
        md.append("| ").append(g.getGroup()).append(" | suppressed: ").append(g.getSuppressionReason()).append(" | | | | | |\n");
      } else {
        md.append(String.format(Locale.ROOT, "| %s | %.0f | %.3f | %.3f | %.3f | %.3f | %.3f |%n", g.getGroup(), g.getCount(),
            g.getSelectionRate(), g.getTruePositiveRate(), g.getFalsePositiveRate(), g.getPrecision(), g.getAccuracy()));
      }
    }
    md.append(String.format(Locale.ROOT, "%nDemographic parity difference %.3f%s (ratio %.3f); equalized odds difference %.3f%s (ratio %.3f); "
        + "equal opportunity difference %.3f (Fairlearn definitions, between groups).%n", f.getDemographicParityDifference(),
        interval(f.hasDemographicParityDifferenceInterval() ? f.getDemographicParityDifferenceInterval() : null), f.getDemographicParityRatio(),
        f.getEqualizedOddsDifference(), interval(f.hasEqualizedOddsDifferenceInterval() ? f.getEqualizedOddsDifferenceInterval() : null),
        f.getEqualizedOddsRatio(), f.getEqualOpportunityDifference()));
    if (f.hasBiasAudit()) appendBiasAudit(md, f.getBiasAudit());
  }

  private static void appendBiasAudit(StringBuilder md, BiasAudit a) {
    md.append(String.format(Locale.ROOT, "%nBias audit (Aequitas): disparities to the reference group '%s', passing within [%.2f, %.2f].%n",
        a.getReferenceGroup(), a.getTolerance(), 1 / a.getTolerance()));
    if (!a.getNotApplied().isEmpty()) {
      md.append("Not applied: ").append(a.getNotApplied()).append(".\n");
      return;
    }
    md.append("\n| metric | verdict | ").append(String.join(" | ", a.getMetrics(0).getGroupsList().stream().map(GroupDisparity::getGroup).toList()))
        .append(" |\n|---|---|").append("---|".repeat(a.getMetrics(0).getGroupsCount())).append('\n');
    for (BiasAuditMetric m : a.getMetricsList()) {
      md.append("| ").append(m.getMetric()).append(" | ").append(m.getVerdict()).append(" | ");
      md.append(String.join(" | ", m.getGroupsList().stream().map(g -> String.format(Locale.ROOT, "%.3f (x%.2f, %s)", g.getValue(),
          g.getDisparity(), g.getVerdict())).toList())).append(" |\n");
    }
  }

  /** A group's randomised rule in words, e.g. "0.50: score >= 0.50; 0.50: positive with probability 0.25". */
  static String describe(GroupPolicy p) {
    return String.join("; ", p.getComponentsList().stream().map(c -> String.format(Locale.ROOT, "%.3g: %s", c.getProbability(),
        c.getRuleCase() == PolicyComponent.RuleCase.CHANCE ? String.format(Locale.ROOT, "positive with probability %.3f", c.getChance())
            : c.getThreshold() > 1 ? "never positive" : String.format(Locale.ROOT, "score >= %.2f", c.getThreshold()))).toList());
  }
}
