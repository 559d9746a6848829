package org.consilium.analytics.report;

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
import org.consilium.analytics.wire.Datasheet;
import org.consilium.analytics.wire.DatasheetSpec;
import org.consilium.analytics.wire.NoiseComponent;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.analytics.wire.SiteComposition;
import org.consilium.mpc.ring.RingVector;

/**
 * The composition section of a consortium datasheet as a (local step, combine step) pair. The
 * vector has one block per site, [rows, missing per column, label positives, rows per group];
 * a node fills only its own block (by its party index) and adds noise to every coordinate, so
 * the aggregate shows per-site counts that are each DP-noised, and nothing else.
 *
 * <p>Sensitivity (add/remove one record, which touches only its own site's block): rows 1,
 * missing counts up to m in l1 (sqrt(m) in l2), label 1, group 1. The components compose in
 * RDP and one calibration meets the job's (epsilon, delta), as for statistics. Counts travel in
 * {@link SkellamAccountant#COUNT_UNIT}s (see there why).
 */
public final class DatasheetQuery {
  private final DatasheetSpec spec;
  private final int sites;
  private final int block;

  public DatasheetQuery(DatasheetSpec spec, int sites, DatasetDictionary dictionary) {
    if (spec.getColumnsCount() == 0) throw new InvalidSpecException("datasheet.columns", "name at least one column");
    if (spec.getLabelColumn().isBlank()) throw new InvalidSpecException("datasheet.label_column", "must name a column");
    if (spec.getGroup().getColumn().isBlank() || spec.getGroup().getValuesCount() == 0) {
      throw new InvalidSpecException("datasheet.group", "must name a column and its values");
    }
    spec.getColumnsList().forEach(c -> dictionary.column(c, "datasheet.columns"));
    dictionary.column(spec.getLabelColumn(), "datasheet.label_column");
    ColumnDefinition group = dictionary.column(spec.getGroup().getColumn(), "datasheet.group.column");
    for (String v : spec.getGroup().getValuesList()) {
      double code;
      try {
        code = Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new InvalidSpecException("datasheet.group.values", "'" + v + "' is not a numeric code");
      }
      if (group.categorical() && !group.codes().containsKey(code)) {
        throw new InvalidSpecException("datasheet.group.values", "'" + v + "' is not a code of '" + group.name() + "' in the data dictionary");
      }
    }
    for (var h : spec.getDistributionsList()) {
      dictionary.column(h.getColumn(), "datasheet.distributions");
      if (h.getEdgesCount() < 2) throw new InvalidSpecException("datasheet.distributions", "'" + h.getColumn() + "' needs at least 2 edges");
      for (int i = 1; i < h.getEdgesCount(); i++) {
        if (!(h.getEdges(i) > h.getEdges(i - 1))) throw new InvalidSpecException("datasheet.distributions", "edges must increase");
      }
    }
    this.spec = spec;
    this.sites = sites;
    this.block = 2 + spec.getColumnsCount() + spec.getGroup().getValuesCount() + histogramBins();
  }

  private int histogramBins() {
    return spec.getDistributionsList().stream().mapToInt(h -> h.getEdgesCount() - 1).sum();
  }

  public int vectorLength() {
    return sites * block;
  }

  public List<String> columns() {
    List<String> c = new ArrayList<>(spec.getColumnsList());
    spec.getDistributionsList().forEach(h -> c.add(h.getColumn()));
    c.add(spec.getLabelColumn());
    c.add(spec.getGroup().getColumn());
    return c.stream().distinct().toList();
  }

  private List<NoiseComponentSpec> components() {
    int m = spec.getColumnsCount();
    double u = SkellamAccountant.COUNT_UNIT;
    List<NoiseComponentSpec> out = new ArrayList<>(List.of(new NoiseComponentSpec("rows", u, u),
        new NoiseComponentSpec("missing", m * u, Math.sqrt(m) * u), new NoiseComponentSpec("label", u, u),
        new NoiseComponentSpec("group", u, u)));
    int h = spec.getDistributionsCount();
    if (h > 0) out.add(new NoiseComponentSpec("distributions", h * u, Math.sqrt(h) * u));
    return out;
  }

  /** The noise for a job and what it spends: aggregate Skellam parameters per component (none for an exact release). */
  public Accounting plan(double epsilon, double delta) {
    return Accounting.ofCounts("distributed Skellam, per-site blocks", components(), epsilon, delta);
  }

  /** Local step: this site's block filled with its counts, every other block zero. */
  public RingVector local(Dataset data, int party) {
    long[] v = new long[vectorLength()];
    int base = (party - 1) * block;
    int[] cols = spec.getColumnsList().stream().mapToInt(data::requireColumn).toArray();
    int label = data.requireColumn(spec.getLabelColumn());
    int group = data.requireColumn(spec.getGroup().getColumn());
    double[] groupValues = spec.getGroup().getValuesList().stream().mapToDouble(Double::parseDouble).toArray();
    for (int r = 0; r < data.rowCount(); r++) {
      v[base] += 1;
      for (int c = 0; c < cols.length; c++) if (Double.isNaN(data.value(r, cols[c]))) v[base + 1 + c] += 1;
      if (data.value(r, label) > spec.getLabelAbove()) v[base + 1 + cols.length] += 1;
      for (int g = 0; g < groupValues.length; g++) if (data.value(r, group) == groupValues[g]) v[base + 2 + cols.length + g] += 1;
      int at = base + 2 + cols.length + groupValues.length;
      for (var h : spec.getDistributionsList()) {
        double x = data.value(r, data.requireColumn(h.getColumn()));
        int bins = h.getEdgesCount() - 1;
        if (!Double.isNaN(x) && x >= h.getEdges(0) && x <= h.getEdges(bins)) {
          int b = 0;
          while (b < bins - 1 && x >= h.getEdges(b + 1)) b++;
          v[at + b] += 1;
        }
        at += bins;
      }
    }
    for (int i = base; i < base + block; i++) v[i] *= SkellamAccountant.COUNT_UNIT;
    return RingVector.adopt(v);
  }

  /** This node's noise share: Sk(mu / t) on every coordinate of every block. */
  public RingVector noiseShare(Accounting plan, int threshold, SkellamNoise sampler) {
    long[] v = new long[vectorLength()];
    if (plan.isExact()) return RingVector.adopt(v);
    double[] mu = plan.mu();
    int m = spec.getColumnsCount();
    for (int s = 0; s < sites; s++) {
      for (int i = 0; i < block; i++) {
        int groups = spec.getGroup().getValuesCount();
        int comp = i == 0 ? 0 : i <= m ? 1 : i == m + 1 ? 2 : i <= m + 1 + groups ? 3 : 4;
        v[s * block + i] = sampler.sample(mu[comp] / threshold);
      }
    }
    return RingVector.adopt(v);
  }

  /**
   * Combine step: the composition section, per site in party order. Under DP it is
   * post-processed: no count below 0, missing and label counts at most the site's rows, group
   * sizes and each distribution adding up to at most the rows; the 95% margin of every
   * component's counts is released beside them.
   */
  public Datasheet release(RingVector aggregate, List<String> siteNames, PrivacyAccounting accounting) {
    boolean noisy = accounting.getComponentsCount() > 0;
    java.util.function.BiFunction<Double, Double, Double> upTo = (v, cap) -> noisy ? Math.min(cap, Release.count(v)) : v;
    Datasheet.Builder d = Datasheet.newBuilder().addAllColumns(spec.getColumnsList())
        .setLabel(spec.getLabelColumn() + " > " + spec.getLabelAbove()).setGroupColumn(spec.getGroup().getColumn())
        .addAllGroupValues(spec.getGroup().getValuesList()).setPrivacy(accounting);
    int m = spec.getColumnsCount();
    for (int s = 0; s < sites; s++) {
      int base = s * block;
      double rows = noisy ? Release.count(count(aggregate, base)) : count(aggregate, base);
      SiteComposition.Builder c = SiteComposition.newBuilder().setSite(siteNames.get(s)).setRows(rows)
          .setLabelPositive(upTo.apply(count(aggregate, base + 1 + m), rows));
      for (int i = 0; i < m; i++) c.addMissing(upTo.apply(count(aggregate, base + 1 + i), rows));
      int groups = spec.getGroup().getValuesCount();
      for (double g : counts(aggregate, base + 2 + m, groups, rows, noisy)) c.addGroupRows(g);
      int at = base + 2 + m + groups;
      for (var h : spec.getDistributionsList()) {
        var counts = org.consilium.analytics.wire.HistogramCounts.newBuilder().setColumn(h.getColumn()).addAllEdges(h.getEdgesList());
        for (double b : counts(aggregate, at, h.getEdgesCount() - 1, rows, noisy)) counts.addCounts(b);
        at += h.getEdgesCount() - 1;
        c.addDistributions(counts);
      }
      d.addComposition(c);
    }
    for (NoiseComponent c : accounting.getComponentsList()) d.putCountMargins(c.getName(), Release.Z95 * c.getStddev());
    return d.build();
  }

  private static double count(RingVector aggregate, int at) {
    return (double) aggregate.get(at) / SkellamAccountant.COUNT_UNIT;
  }

  /** k counts from the aggregate: as they are when exact, else non-negative whole numbers adding up to at most rows. */
  private static double[] counts(RingVector aggregate, int from, int k, double rows, boolean noisy) {
    double[] v = new double[k];
    for (int i = 0; i < k; i++) v[i] = count(aggregate, from + i);
    return noisy ? Release.bins(v, rows, false) : v;
  }

}
