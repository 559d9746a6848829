package org.consilium.analytics.drift;

import java.util.ArrayList;
import java.util.List;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.ColumnDefinition;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.dp.Accounting;
import org.consilium.analytics.dp.NoiseComponentSpec;
import org.consilium.analytics.dp.Release;
import org.consilium.analytics.dp.SkellamAccountant;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.train.FeatureSpace;
import org.consilium.analytics.train.ModelScorer;
import org.consilium.analytics.wire.DriftResult;
import org.consilium.analytics.wire.DriftSpec;
import org.consilium.analytics.wire.HistogramCounts;
import org.consilium.analytics.wire.Histogram;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.analytics.wire.SiteDistribution;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.mpc.ring.RingVector;

/**
 * A drift measurement as a (local step, combine step) pair: the distribution of each of a
 * model's features and of its scores, with the labels per score bin where they have arrived.
 *
 * <p>One block per site (per-site: a node fills only its own block, by its party index) or a
 * single pooled block: {@code [bins of feature 1, ..., bins of feature F, then per score bin
 * (S): rows with a positive label, with a negative label, without a label]}. A record adds at
 * most 1 to each feature's bins (missing values and undeclared codes fall in none) and 1 to
 * one score cell (none when the model cannot score it): sensitivities F u (l1) and sqrt(F) u
 * (l2), and u, in {@link SkellamAccountant#COUNT_UNIT}s, composed in RDP to the job's (epsilon,
 * delta). There is no separate row count (it would cost budget and say little more): a
 * block's rows are released as the largest of its histograms' totals. Every node adds its
 * noise share to every coordinate of every block, as for datasheets.
 */
public final class DriftQuery {
  /** Equal bins over a numeric column's public bounds when the spec declares none. */
  public static final int DEFAULT_NUMERIC_BINS = 10;
  public static final int DEFAULT_SCORE_BINS = 10;
  /** The name a pooled block's distributions are released under. */
  public static final String POOLED = "all sites";

  private final DriftSpec spec;
  private final ModelScorer scorer;
  private final List<Histogram> features;
  private final List<ColumnDefinition> definitions;
  private final double[] scoreEdges;
  private final String target;
  private final double positiveAbove;
  private final boolean classifier;
  private final int blocks;
  private final int block;

  /** Validates the spec against the dataset's dictionary (throws {@link InvalidSpecException} naming the field). */
  public DriftQuery(DriftSpec spec, int sites, DatasetDictionary dictionary) {
    if (!spec.hasModel()) throw new InvalidSpecException("drift.model", "must hold the monitored model");
    TrainSpec train = spec.getModel().getSpec();
    try {
      this.scorer = new ModelScorer(spec.getModel());
    } catch (IllegalArgumentException e) {
      throw new InvalidSpecException("drift.model", "is not a usable model: " + e.getMessage());
    }
    List<String> columns = FeatureSpace.of(train).featureNames();
    this.features = spec.getFeaturesCount() == 0 ? defaults(columns, dictionary) : checked(spec.getFeaturesList(), columns, dictionary);
    this.definitions = features.stream().map(h -> dictionary.column(h.getColumn(), "drift.features")).toList();
    int s = spec.getScoreBins() == 0 ? DEFAULT_SCORE_BINS : spec.getScoreBins();
    if (s < 2 || s > 100) throw new InvalidSpecException("drift.score_bins", "must be 2..100, got " + s);
    this.classifier = train.getModel() != TrainSpec.Model.LINEAR;
    this.target = train.getTarget();
    this.positiveAbove = train.getPositiveAbove();
    ColumnDefinition t = dictionary.column(target, "drift.model.spec.target");
    this.scoreEdges = equalEdges(classifier ? 0 : t.lower(), classifier ? 1 : t.upper(), s);
    this.spec = spec;
    this.blocks = spec.getPerSite() ? sites : 1;
    this.block = featureBins() + 3 * s;
  }

  private static List<Histogram> defaults(List<String> columns, DatasetDictionary dictionary) {
    List<Histogram> out = new ArrayList<>();
    for (String c : columns) {
      ColumnDefinition d = dictionary.column(c, "drift.model");
      double[] edges;
      if (d.categorical()) {
        double[] codes = d.codes().keySet().stream().mapToDouble(Double::doubleValue).sorted().toArray();
        edges = new double[codes.length + 1];
        edges[0] = codes[0] - 0.5;
        for (int i = 1; i < codes.length; i++) edges[i] = (codes[i - 1] + codes[i]) / 2;
        edges[codes.length] = codes[codes.length - 1] + 0.5;
      } else {
        edges = equalEdges(d.lower(), d.upper(), DEFAULT_NUMERIC_BINS);
      }
      Histogram.Builder h = Histogram.newBuilder().setColumn(c);
      for (double e : edges) h.addEdges(e);
      out.add(h.build());
    }
    return out;
  }

  private static List<Histogram> checked(List<Histogram> declared, List<String> columns, DatasetDictionary dictionary) {
    List<String> seen = new ArrayList<>();
    List<Histogram> out = new ArrayList<>();
    for (Histogram h : declared) {
      dictionary.column(h.getColumn(), "drift.features");
      if (!columns.contains(h.getColumn())) {
        throw new InvalidSpecException("drift.features", "'" + h.getColumn() + "' is not a feature of the model " + columns);
      }
      if (seen.contains(h.getColumn())) throw new InvalidSpecException("drift.features", "'" + h.getColumn() + "' is declared twice");
      seen.add(h.getColumn());
      if (h.getEdgesCount() == 0) { // the column's default bins
        out.addAll(defaults(List.of(h.getColumn()), dictionary));
        continue;
      }
      out.add(h);
      if (h.getEdgesCount() < 3 || h.getEdgesCount() > 101) {
        throw new InvalidSpecException("drift.features", "'" + h.getColumn() + "' needs 3..101 edges (2..100 bins)");
      }
      for (int i = 1; i < h.getEdgesCount(); i++) {
        if (!(Double.isFinite(h.getEdges(i - 1)) && h.getEdges(i) > h.getEdges(i - 1))) {
          throw new InvalidSpecException("drift.features", "'" + h.getColumn() + "': edges must be finite and increase");
        }
      }
    }
    return List.copyOf(out);
  }

  private static double[] equalEdges(double lower, double upper, int bins) {
    double[] e = new double[bins + 1];
    for (int i = 0; i <= bins; i++) e[i] = lower + (upper - lower) * i / bins;
    e[bins] = upper;
    return e;
  }

  public int vectorLength() {
    return blocks * block;
  }

  /** The model's feature columns and its target (for the labels). */
  public List<String> columns() {
    List<String> c = new ArrayList<>(features.stream().map(Histogram::getColumn).toList());
    c.addAll(FeatureSpace.of(spec.getModel().getSpec()).featureNames());
    c.add(target);
    return c.stream().distinct().toList();
  }

  /** The bins measured, per feature (the declared ones, or the dictionary's defaults). */
  public List<Histogram> features() {
    return features;
  }

  private int featureBins() {
    return features.stream().mapToInt(h -> h.getEdgesCount() - 1).sum();
  }

  private int scoreBins() {
    return scoreEdges.length - 1;
  }

  private List<NoiseComponentSpec> components() {
    double u = SkellamAccountant.COUNT_UNIT;
    int f = features.size();
    return List.of(new NoiseComponentSpec("features", f * u, Math.sqrt(f) * u), new NoiseComponentSpec("scores", u, u));
  }

  /** The component of each position in a block. */
  private int componentAt(int i) {
    return i < featureBins() ? 0 : 1;
  }

  /** The noise for a job and what it spends (none for an exact release). */
  public Accounting plan(double epsilon, double delta) {
    return Accounting.ofCounts("distributed Skellam, " + (spec.getPerSite() ? "per-site blocks" : "one pooled block"), components(), epsilon, delta);
  }

  /** Local step: this site's counts in its own block (per-site) or the pooled one; never leaves the node unmasked. */
  public RingVector local(Dataset data, int party) {
    long[] v = new long[vectorLength()];
    int base = spec.getPerSite() ? (party - 1) * block : 0;
    int[] cols = features.stream().mapToInt(h -> data.requireColumn(h.getColumn())).toArray();
    int label = data.requireColumn(target);
    double[] scores = scorer.score(data);
    int s = scoreBins();
    for (int r = 0; r < data.rowCount(); r++) {
      int at = base;
      for (int f = 0; f < cols.length; f++) {
        double x = data.value(r, cols[f]);
        ColumnDefinition d = definitions.get(f);
        int b = Double.isNaN(x) || !d.admits(x) ? -1 : bin(edgesOf(f), d.categorical() ? x : d.clip(x));
        if (b >= 0) v[at + b] += 1;
        at += features.get(f).getEdgesCount() - 1;
      }
      if (Double.isNaN(scores[r])) continue;
      int sb = bin(scoreEdges, Math.min(Math.max(scores[r], scoreEdges[0]), scoreEdges[s]));
      double y = data.value(r, label);
      int cell = !classifier || Double.isNaN(y) ? 2 : y > positiveAbove ? 0 : 1;
      v[at + cell * s + sb] += 1;
    }
    for (int i = base; i < base + block; i++) v[i] *= SkellamAccountant.COUNT_UNIT;
    return RingVector.adopt(v);
  }

  private double[] edgesOf(int feature) {
    return features.get(feature).getEdgesList().stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The bin of x among edges (the last bin closed on the right), or -1 outside them. */
  static int bin(double[] edges, double x) {
    if (Double.isNaN(x) || x < edges[0] || x > edges[edges.length - 1]) return -1;
    int b = 0;
    while (b < edges.length - 2 && x >= edges[b + 1]) b++;
    return b;
  }

  /** This node's noise share: Sk(mu / t) on every coordinate of every block. */
  public RingVector noiseShare(Accounting plan, int threshold, SkellamNoise sampler) {
    long[] v = new long[vectorLength()];
    if (plan.isExact()) return RingVector.adopt(v);
    double[] mu = plan.mu();
    for (int b = 0; b < blocks; b++) {
      for (int i = 0; i < block; i++) v[b * block + i] = sampler.sample(mu[componentAt(i)] / threshold);
    }
    return RingVector.adopt(v);
  }

  /**
   * Combine step: each block's distributions. Under DP post-processed (whole counts, none
   * negative); the noise of each component is in the accounting released beside it.
   */
  public DriftResult release(RingVector aggregate, List<String> siteNames, PrivacyAccounting accounting) {
    if (aggregate.length() != vectorLength()) {
      throw new IllegalArgumentException("aggregate has length " + aggregate.length() + ", expected " + vectorLength());
    }
    boolean noisy = accounting.getComponentsCount() > 0;
    DriftResult.Builder r = DriftResult.newBuilder()
        .setLabel(classifier ? target + " > " + org.consilium.analytics.dictionary.ColumnDefinition.format(positiveAbove) : "");
    for (double e : scoreEdges) r.addScoreEdges(e);
    int s = scoreBins();
    for (int b = 0; b < blocks; b++) {
      int base = b * block;
      SiteDistribution.Builder d = SiteDistribution.newBuilder().setSite(spec.getPerSite() ? siteNames.get(b) : POOLED);
      double rows = 0;
      int at = base;
      for (Histogram h : features) {
        int k = h.getEdgesCount() - 1;
        double[] counts = counts(aggregate, at, k, noisy);
        rows = Math.max(rows, java.util.Arrays.stream(counts).sum());
        d.addFeatures(HistogramCounts.newBuilder().setColumn(h.getColumn()).addAllEdges(h.getEdgesList()).addAllCounts(boxed(counts)));
        at += k;
      }
      double[] cells = counts(aggregate, at, 3 * s, noisy);
      HistogramCounts.Builder scores = HistogramCounts.newBuilder().setColumn("score");
      for (double e : scoreEdges) scores.addEdges(e);
      for (int i = 0; i < s; i++) {
        scores.addCounts(cells[i] + cells[s + i] + cells[2 * s + i]);
        if (classifier) {
          d.addPositives(cells[i]);
          d.addNegatives(cells[s + i]);
        }
      }
      rows = Math.max(rows, java.util.Arrays.stream(cells).sum());
      r.addSites(d.setScores(scores).setRows(rows));
    }
    return r.build();
  }

  private static double count(RingVector aggregate, int at) {
    return (double) aggregate.get(at) / SkellamAccountant.COUNT_UNIT;
  }

  /** k counts from the aggregate: as they are when exact, else whole numbers at or above 0. */
  private static double[] counts(RingVector aggregate, int from, int k, boolean noisy) {
    double[] v = new double[k];
    for (int i = 0; i < k; i++) v[i] = count(aggregate, from + i);
    return noisy ? Release.bins(v, Double.POSITIVE_INFINITY, false) : v;
  }

  private static List<Double> boxed(double[] v) {
    return java.util.Arrays.stream(v).boxed().toList();
  }
}
