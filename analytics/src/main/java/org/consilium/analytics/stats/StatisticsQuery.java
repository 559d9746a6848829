package org.consilium.analytics.stats;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.ColumnDefinition;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.dp.Accounting;
import org.consilium.analytics.dp.NoiseComponentSpec;
import org.consilium.analytics.dp.SkellamAccountant;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.wire.GroupStatistics;
import org.consilium.analytics.wire.StatisticsResult;
import org.consilium.analytics.wire.StatisticsSpec;
import org.consilium.mpc.fixedpoint.FixedPoint;
import org.consilium.mpc.ring.RingVector;

/**
 * The statistics job as a (local step, combine step) pair.
 *
 * <p>Vector layout, one block per group (declared codes, or a single group "all"):
 * {@code [count, centred sum, (centred sum of squares), histogram bin 0..k-1]}; the sum of
 * squares only when the variance is asked for; counts and bins in {@link SkellamAccountant#COUNT_UNIT}s. Values are clipped into [lower, upper] (the
 * data dictionary's public bounds, or narrower ones the job declares) and centred on the
 * midpoint m, so one record moves the sum by at most the half-range h (not max(|lower|, |upper|))
 * and the squares, stored as (x - m)^2 - h^2 / 2, by at most h^2 / 2. Counts and bins are
 * integers; sums are fixed point with a scale chosen so that the aggregate of up to
 * {@link #MAX_TOTAL_ROWS} rows cannot overflow and, when noise is on, the sensitivity stays at
 * most 2^12 encoded units (fine against the noise, and it keeps the Skellam parameter in the
 * sampler's exact range down to epsilon 0.01).
 *
 * <p>A row belongs to the cohort when the column, the histogram column and the group column are
 * all present (and the group value is one of the declared ones). The release is post-processed
 * ({@link Release}): no negative count, bins that add up to their count, a mean inside the
 * bounds and a variance at or above 0, each with its 95% interval.
 */
public final class StatisticsQuery {
  /** Upper bound on the rows of all nodes together; fixes the overflow headroom. */
  public static final long MAX_TOTAL_ROWS = 10_000_000L;

  private final StatisticsSpec spec;
  private final List<String> groups;
  private final List<String> labels;
  private final double[] groupValues;
  private final double[] edges;
  private final double lower;
  private final double upper;
  private final double mid;
  private final double half;
  private final boolean variance;
  private final ColumnDefinition histogramColumn;
  private final FixedPoint sumCodec;
  private final FixedPoint squareCodec;
  private final BlockRelease blocks;

  private StatisticsQuery(StatisticsSpec spec, DatasetDictionary dictionary, boolean noisy) {
    this.spec = spec;
    require(!spec.getColumn().isBlank(), "statistics.column", "must name a numeric column");
    dictionary.column(spec.getColumn(), "statistics.column");
    double[] b = dictionary.bounds(spec.getColumn(), spec.getLower(), spec.getUpper(), "statistics.lower/upper");
    if (dictionary.column(spec.getColumn(), "statistics.column").categorical() && (spec.getLower() != 0 || spec.getUpper() != 0)) {
      require(false, "statistics.lower/upper", "'" + spec.getColumn() + "' is categorical: its bounds are its codes");
    }
    this.lower = b[0];
    this.upper = b[1];
    this.mid = (lower + upper) / 2;
    this.half = (upper - lower) / 2;
    this.variance = spec.getVariance();
    if (spec.hasGroupBy()) {
      require(!spec.getGroupBy().getColumn().isBlank(), "statistics.group_by.column", "must name a column");
      ColumnDefinition g = dictionary.column(spec.getGroupBy().getColumn(), "statistics.group_by.column");
      require(spec.getGroupBy().getValuesCount() > 0, "statistics.group_by.values", "must declare at least one value");
      require(spec.getGroupBy().getValuesCount() <= 1000, "statistics.group_by.values", "at most 1000 groups");
      groups = List.copyOf(spec.getGroupBy().getValuesList());
      groupValues = new double[groups.size()];
      List<String> names = new ArrayList<>();
      Set<Double> seen = new HashSet<>();
      for (int i = 0; i < groups.size(); i++) {
        try {
          groupValues[i] = Double.parseDouble(groups.get(i));
        } catch (NumberFormatException e) {
          throw new InvalidSpecException("statistics.group_by.values", "'" + groups.get(i) + "' is not a numeric category code");
        }
        require(seen.add(groupValues[i]), "statistics.group_by.values", "'" + groups.get(i) + "' is declared twice");
        require(!g.categorical() || g.codes().containsKey(groupValues[i]), "statistics.group_by.values",
            "'" + groups.get(i) + "' is not a code of '" + g.name() + "' in the data dictionary " + g.codes());
        names.add(g.label(groupValues[i]));
      }
      labels = List.copyOf(names);
    } else {
      groups = List.of("all");
      labels = List.of("all");
      groupValues = null;
    }
    if (spec.hasHistogram()) {
      require(!spec.getHistogram().getColumn().isBlank(), "statistics.histogram.column", "must name a column");
      histogramColumn = dictionary.column(spec.getHistogram().getColumn(), "statistics.histogram.column");
      edges = spec.getHistogram().getEdgesList().stream().mapToDouble(Double::doubleValue).toArray();
      require(edges.length >= 2 && edges.length <= 1001, "statistics.histogram.edges", "needs 2..1001 edges, got " + edges.length);
      for (int i = 1; i < edges.length; i++) {
        require(Double.isFinite(edges[i - 1]) && edges[i] > edges[i - 1], "statistics.histogram.edges",
            "must be finite and strictly increasing");
      }
    } else {
      histogramColumn = null;
      edges = new double[0];
    }
    this.blocks = new BlockRelease(lower, upper, variance, binsCoverAll());
    this.sumCodec = codec(half, noisy, "statistics.lower/upper");
    this.squareCodec = codec(half * half / 2, noisy, "statistics.lower/upper (squared)");
  }

  /** Validates a spec against the dataset's dictionary; throws {@link InvalidSpecException} naming the field. */
  public static StatisticsQuery of(StatisticsSpec spec, DatasetDictionary dictionary, boolean noisy) {
    return new StatisticsQuery(spec, dictionary, noisy);
  }

  private static FixedPoint codec(double maxAbs, boolean noisy, String field) {
    int headroom = (int) Math.floor(62 - Math.log(maxAbs * MAX_TOTAL_ROWS) / Math.log(2)) - 1;
    int bits = Math.min(16, headroom);
    // Under noise the resolution only has to be fine against the noise: a sensitivity of at most
    // 2^12 units leaves rounding far below it and keeps even epsilon 0.01 inside the sampler's range.
    if (noisy) bits = Math.min(bits, 12 - (int) Math.ceil(Math.log(maxAbs) / Math.log(2)));
    bits = Math.max(bits, 0);
    try {
      return new FixedPoint(bits, maxAbs, MAX_TOTAL_ROWS);
    } catch (IllegalArgumentException e) {
      throw new InvalidSpecException(field, "bounds too large to aggregate safely: " + e.getMessage());
    }
  }

  private static void require(boolean ok, String field, String why) {
    if (!ok) throw new InvalidSpecException(field, why);
  }

  public StatisticsSpec spec() {
    return spec;
  }

  public List<String> groups() {
    return groups;
  }

  private int bins() {
    return Math.max(edges.length - 1, 0);
  }

  /** Where the bins start in a block. */
  private int binsAt() {
    return variance ? 3 : 2;
  }

  private int block() {
    return binsAt() + bins();
  }

  public int vectorLength() {
    return groups.size() * block();
  }

  /** The columns a node must hold and its policy must allow. */
  public List<String> columns() {
    List<String> c = new ArrayList<>(List.of(spec.getColumn()));
    if (spec.hasGroupBy()) c.add(spec.getGroupBy().getColumn());
    if (spec.hasHistogram()) c.add(spec.getHistogram().getColumn());
    return c.stream().distinct().toList();
  }

  /** Sensitivities per noise component, in encoded units (add/remove one record). */
  public List<NoiseComponentSpec> noiseComponents() {
    List<NoiseComponentSpec> out = new ArrayList<>();
    double unit = SkellamAccountant.COUNT_UNIT;
    out.add(new NoiseComponentSpec("count", unit, unit));
    double s = sumCodec.encode(half);
    out.add(new NoiseComponentSpec("sum", s, s));
    if (variance) {
      double q = squareCodec.encode(half * half / 2);
      out.add(new NoiseComponentSpec("sum_of_squares", q, q));
    }
    if (bins() > 0) out.add(new NoiseComponentSpec("histogram", unit, unit));
    return out;
  }

  /** The component of each position of a block. */
  private int componentAt(int i) {
    return Math.min(i, binsAt());
  }

  public int[] fractionalBits() {
    List<Integer> bits = new ArrayList<>(List.of(SkellamAccountant.COUNT_BITS, sumCodec.fractionalBits()));
    if (variance) bits.add(squareCodec.fractionalBits());
    if (bins() > 0) bits.add(SkellamAccountant.COUNT_BITS);
    return bits.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The noise for a job and what it spends: aggregate Skellam parameters per component (none for an exact release). */
  public Accounting plan(double epsilon, double delta) {
    if (Double.isInfinite(epsilon)) return Accounting.exact();
    List<NoiseComponentSpec> comps = noiseComponents();
    SkellamAccountant.Calibration c = SkellamAccountant.calibrate(comps, epsilon, delta);
    int[] bits = fractionalBits();
    List<Accounting.Component> out = new ArrayList<>();
    for (int i = 0; i < comps.size(); i++) out.add(Accounting.Component.of(comps.get(i), c.mu()[i], Math.scalb(1.0, bits[i])));
    return Accounting.noisy("distributed Skellam, noise calibrated for t survivors", out, c.spent(), delta);
  }

  /** The local step's output: the encoded exact contribution and the cohort size. */
  public record LocalContribution(RingVector encoded, long cohortSize) {}

  /** Local step: this node's exact contribution, encoded. Never leaves the node unmasked. */
  public LocalContribution local(Dataset data) {
    long[] v = new long[vectorLength()];
    long cohort = forEachCohortRow(data, (g, x, h) -> {
      int base = g * block();
      double c = x - mid;
      v[base] += SkellamAccountant.COUNT_UNIT;
      v[base + 1] += sumCodec.encode(c);
      if (variance) v[base + 2] += squareCodec.encode(c * c - half * half / 2);
      int bin = bin(h);
      if (bin >= 0) v[base + binsAt() + bin] += SkellamAccountant.COUNT_UNIT;
    });
    return new LocalContribution(RingVector.adopt(v), cohort);
  }

  /** This node's share of the noise: Sk(mu_c / t) on every coordinate of component c. */
  public RingVector noiseShare(Accounting plan, int threshold, SkellamNoise sampler) {
    long[] v = new long[vectorLength()];
    if (plan.isExact()) return RingVector.adopt(v);
    double[] aggregateMu = plan.mu();
    for (int g = 0; g < groups.size(); g++) {
      int base = g * block();
      for (int i = 0; i < block(); i++) v[base + i] = sampler.sample(aggregateMu[componentAt(i)] / threshold);
    }
    return RingVector.adopt(v);
  }

  /**
   * Combine step: decodes the aggregated vector into released statistics, post-processed and
   * with 95% intervals under the plan's noise (contributors / t times its variance).
   */
  public StatisticsResult release(RingVector aggregate, Accounting plan, int threshold, int contributors) {
    if (aggregate.length() != vectorLength()) {
      throw new IllegalArgumentException("aggregate has length " + aggregate.length() + ", expected " + vectorLength());
    }
    double[] sd = null;
    if (!plan.isExact()) {
      sd = new double[plan.components().size()];
      for (int i = 0; i < sd.length; i++) sd[i] = plan.stddev(i, contributors, threshold);
    }
    StatisticsResult.Builder r = header();
    for (int g = 0; g < groups.size(); g++) {
      int base = g * block();
      double[] raw = new double[block()];
      raw[0] = (double) aggregate.get(base) / SkellamAccountant.COUNT_UNIT;
      raw[1] = sumCodec.decode(aggregate.get(base + 1));
      if (variance) raw[2] = squareCodec.decode(aggregate.get(base + 2));
      for (int b = 0; b < bins(); b++) raw[binsAt() + b] = (double) aggregate.get(base + binsAt() + b) / SkellamAccountant.COUNT_UNIT;
      if (sd == null) {
        r.addGroups(blocks.exact(groups.get(g), labels.get(g), raw));
      } else {
        double[] sdBlock = new double[raw.length];
        for (int i = 0; i < raw.length; i++) sdBlock[i] = sd[componentAt(i)];
        r.addGroups(blocks.noisy(groups.get(g), labels.get(g), raw, sdBlock));
      }
    }
    return r.build();
  }

  /** The same statistics computed exactly in the clear, for the pooled reference only. */
  public StatisticsResult exact(Dataset pooled) {
    double[][] acc = new double[groups.size()][block()];
    forEachCohortRow(pooled, (g, x, h) -> {
      double c = x - mid;
      acc[g][0] += 1;
      acc[g][1] += c;
      if (variance) acc[g][2] += c * c - half * half / 2;
      int bin = bin(h);
      if (bin >= 0) acc[g][binsAt() + bin] += 1;
    });
    StatisticsResult.Builder r = header();
    for (int g = 0; g < groups.size(); g++) r.addGroups(blocks.exact(groups.get(g), labels.get(g), acc[g]));
    return r.build();
  }

  private StatisticsResult.Builder header() {
    StatisticsResult.Builder r = StatisticsResult.newBuilder().setColumn(spec.getColumn());
    if (spec.hasHistogram()) {
      r.setHistogramColumn(spec.getHistogram().getColumn()).addAllHistogramEdges(spec.getHistogram().getEdgesList());
    }
    return r;
  }

  /** Whether every cohort row falls in a bin: the edges cover the histogram column's public bounds. */
  private boolean binsCoverAll() {
    return bins() > 0 && edges[0] <= histogramColumn.lower() && edges[edges.length - 1] >= histogramColumn.upper();
  }

  private int bin(double h) {
    if (edges.length == 0 || Double.isNaN(h) || h < edges[0] || h > edges[edges.length - 1]) return -1;
    for (int b = 0; b < edges.length - 1; b++) {
      if (h < edges[b + 1]) return b;
    }
    return edges.length - 2; // the last bin is closed on the right
  }

  private interface RowVisitor {
    void visit(int group, double clippedValue, double histogramValue);
  }

  private long forEachCohortRow(Dataset data, RowVisitor visitor) {
    int col = data.requireColumn(spec.getColumn());
    int grp = spec.hasGroupBy() ? data.requireColumn(spec.getGroupBy().getColumn()) : -1;
    int his = spec.hasHistogram() ? data.requireColumn(spec.getHistogram().getColumn()) : -1;
    long cohort = 0;
    for (int row = 0; row < data.rowCount(); row++) {
      double x = data.value(row, col);
      if (Double.isNaN(x)) continue;
      int g = 0;
      if (grp >= 0) {
        g = groupOf(data.value(row, grp));
        if (g < 0) continue;
      }
      double h = his >= 0 ? data.value(row, his) : Double.NaN;
      if (his >= 0 && Double.isNaN(h)) continue;
      if (his >= 0) h = histogramColumn.clip(h);
      visitor.visit(g, Math.min(Math.max(x, lower), upper), h);
      cohort++;
    }
    return cohort;
  }

  private int groupOf(double value) {
    for (int i = 0; i < groupValues.length; i++) {
      if (groupValues[i] == value) return i;
    }
    return -1;
  }
}
