package org.consilium.analytics.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.data.TestTables;
import org.consilium.analytics.dictionary.TestDictionaries;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.job.InTheClear;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.NoiseComponent;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.junit.jupiter.api.Test;

/** Exponentiated gradient under DP: what it spends, what one record moves, the steps a node admits, and that it still narrows the gap. */
class DpReductionsTest {
  private static final JobSpec SPEC = ReductionsTest.spec(TrainSpec.Mitigation.EXPONENTIATED_GRADIENT_DEMOGRAPHIC_PARITY, 2.0);

  private static TrainingJob job() {
    return new TrainingJob(SPEC.getTrain(), TestDictionaries.dictionary().dataset("heart"), 2.0, 1e-6, 3);
  }

  /** The demographic parity difference of decisions in the clear over every row of the sites (the test's reference). */
  private static double gap(Map<String, Dataset> sites, java.util.function.Function<Dataset, double[]> positive) {
    double[] selected = new double[2];
    double[] rows = new double[2];
    for (Dataset d : sites.values()) {
      double[] p = positive.apply(d);
      for (int r = 0; r < d.rowCount(); r++) {
        int g = (int) d.value(r, "g");
        selected[g] += p[r];
        rows[g]++;
      }
    }
    return Math.abs(selected[0] / rows[0] - selected[1] / rows[1]);
  }

  @Test
  void atEpsilonTwoTheMixtureStillNarrowsTheGapAndSpendsWhatItDeclares() {
    Map<String, Dataset> sites = ReductionsTest.sites();
    TrainedModel m = InTheClear.run(Computation.of(SPEC, 3, TestDictionaries.dictionary()), sites, 2,
        new SkellamNoise(DpTrainingTest.seeded(3))).getModel();
    assertTrue(m.getPrivacy().getEpsilon() <= 2 + 1e-9 && m.getPrivacy().getEpsilon() > 1.9, "spent " + m.getPrivacy().getEpsilon());
    List<String> names = m.getPrivacy().getComponentsList().stream().map(NoiseComponent::getName).toList();
    assertTrue(names.contains("gradient per round, per coordinate (x40)") && names.contains("reductions: training rows per (label, group) cell (x1)")
        && names.contains("reductions: rows predicted positive per cell, per iteration (x8)")
        && names.contains("reductions: the mixture's confusion cells per group (x1)"), "5 rounds for each of 8 classifiers, 8 rate counts: " + names);
    ModelScorer scorer = new ModelScorer(m);
    double before = gap(sites, d -> java.util.Arrays.stream(scorer.score(d)).map(p -> p >= 0.5 ? 1 : 0).toArray());
    double after = gap(sites, d -> scorer.positiveDecisionProbability(d).orElseThrow());
    System.out.printf("DP exponentiated gradient at epsilon 2: demographic parity difference %.3f -> %.3f (in the clear)%n", before, after);
    assertTrue(before > 0.3 && after < before / 2, "the DP mixture at least halves the true selection-rate gap: " + before + " -> " + after);
    assertTrue(m.getMitigation().getMixtureCount() >= 1);
  }

  @Test
  void aNodeAdmitsTheCellsOnceAndPerIterationOneRateCountAndTheFitsRounds() {
    StepAllowance a = job().allowance();
    for (int r = 0; r < 5; r++) a.admit(StepStart.Kind.GRADIENT);
    a.admit(StepStart.Kind.EVALUATE);
    a.admit(StepStart.Kind.CELLS);
    assertThrows(IllegalArgumentException.class, () -> a.admit(StepStart.Kind.NEWTON), "no exact Newton step under DP");
    a.admit(StepStart.Kind.RATES);
    for (int r = 0; r < 5; r++) a.admit(StepStart.Kind.GRADIENT);
    assertThrows(IllegalArgumentException.class, () -> a.admit(StepStart.Kind.GRADIENT), "a sixth round for one classifier was not paid for");
    for (int t = 2; t < 8; t++) {
      a.admit(StepStart.Kind.RATES);
      for (int r = 0; r < 5; r++) a.admit(StepStart.Kind.GRADIENT);
    }
    a.admit(StepStart.Kind.RATES);
    a.admit(StepStart.Kind.MIXTURE);
    var e = assertThrows(IllegalArgumentException.class, () -> a.admit(StepStart.Kind.RATES), "nothing after the mixture");
    assertTrue(e.getMessage().contains("1 cell count, then 1 rate count, then 5 weighted gradient rounds"), e.getMessage());
  }

  @Test
  void oneRecordMovesEachReleaseByNoMoreThanItsDeclaredSensitivityEvenUnderARogueCoordinatorsWeights() {
    TrainingJob job = job();
    Dataset base = ReductionsTest.sites().get("site-0");
    StepStart first = job.driver(List.of("a", "b", "c"), 2).current();
    Random r = new Random(7);
    for (int trial = 0; trial < 30; trial++) {
      Dataset plus = TestTables.withRow(base, Map.of("x", trial % 2 == 0 ? 5 : -5 * r.nextDouble(), "y", (double) r.nextInt(2),
          "g", (double) r.nextInt(2)));
      StepStart.Builder weighted = first.toBuilder().clearBeta().addBeta(5 * r.nextGaussian()).addBeta(5 * r.nextGaussian());
      for (int c = 0; c < 4; c++) weighted.addCellWeights(50 * r.nextDouble()).addCellLabels(r.nextInt(2));
      StepStart gradient = weighted.build();
      assertTrue(l2(diff(job, gradient, plus, base)) <= 256 * TrainingJob.DP_CLIP + 1e-9, "weighted gradient: within C x 256 units");
      assertTrue(l1(diff(job, gradient.toBuilder().setKind(StepStart.Kind.CELLS).build(), plus, base)) <= 256, "cells: one row");
      assertTrue(l1(diff(job, gradient.toBuilder().setKind(StepStart.Kind.RATES).build(), plus, base)) <= 256, "rates: at most one row");
      double w = r.nextDouble(); // weights off the encoding's grid: each record's p must not round past the sensitivity
      StepStart mixture = gradient.toBuilder().setKind(StepStart.Kind.MIXTURE).addMixture(0.1).addMixture(1).addMixture(-0.2).addMixture(2)
          .addMixtureWeights(w).addMixtureWeights(1 - w).build();
      assertTrue(l2(diff(job, mixture, plus, base)) <= 256 * Math.sqrt(2) + 1e-9, "mixture: p and 1 - p in two blocks");
    }
  }

  private static long[] diff(TrainingJob job, StepStart step, Dataset plus, Dataset base) {
    long[] a = job.local(step, plus, 0, false).toArray();
    long[] b = job.local(step, base, 0, false).toArray();
    long[] d = new long[a.length];
    for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
    return d;
  }

  private static double l2(long[] v) {
    double s = 0;
    for (long x : v) s += (double) x * x;
    return Math.sqrt(s);
  }

  private static long l1(long[] v) {
    long s = 0;
    for (long x : v) s += Math.abs(x);
    return s;
  }
}
