package org.consilium.analytics.stats;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dp.NoiseComponentSpec;
import org.consilium.analytics.dp.SkellamAccountant;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.wire.NoiseComponent;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.analytics.wire.GroupStatistics;
import org.consilium.analytics.wire.StatisticsResult;
import org.consilium.analytics.wire.StatisticsSpec;
import org.consilium.mpc.fixedpoint.FixedPoint;
import org.consilium.mpc.ring.RingVector;

/**
 * The statistics job as a (local step, combine step) pair.
 *
 * <p>Vector layout, one block per group (declared values, or a single group "all"):
 * {@code [count, sum, sum of squares, histogram bin 0..k-1]}. Counts and bins are integers;
 * sums are fixed point with a scale chosen so that the aggregate of up to {@link #MAX_TOTAL_ROWS}
 * rows cannot overflow and, when noise is on, the sensitivity stays at most 2^16 encoded units
 * (which keeps the Skellam parameter in the sampler's exact range).
 *
 * <p>A row belongs to the cohort when the column, the histogram column and the group column are
 * all present (and the group value is one of the declared ones). Values are clipped into the
 * declared [lower, upper] before encoding, which is what bounds the sensitivity.
 */
public final class StatisticsQuery {
  /** Upper bound on the rows of all nodes together; fixes the overflow headroom. */
  public static final long MAX_TOTAL_ROWS = 10_000_000L;

  private final StatisticsSpec spec;
  private final List<String> groups;
  private final double[] groupValues;
  private final double[] edges;
  private final double bound;
  private final FixedPoint sumCodec;
  private final FixedPoint squareCodec;

  private StatisticsQuery(StatisticsSpec spec, boolean noisy) {
    this.spec = spec;
    require(!spec.getColumn().isBlank(), "statistics.column", "must name a numeric column");
    require(Double.isFinite(spec.getLower()) && Double.isFinite(spec.getUpper()) && spec.getLower() < spec.getUpper(),
        "statistics.lower/upper", "must be finite with lower < upper, got [" + spec.getLower() + ", " + spec.getUpper() + "]");
    this.bound = Math.max(Math.abs(spec.getLower()), Math.abs(spec.getUpper()));
    if (spec.hasGroupBy()) {
      require(!spec.getGroupBy().getColumn().isBlank(), "statistics.group_by.column", "must name a column");
      require(spec.getGroupBy().getValuesCount() > 0, "statistics.group_by.values", "must declare at least one value");
      require(spec.getGroupBy().getValuesCount() <= 1000, "statistics.group_by.values", "at most 1000 groups");
      groups = List.copyOf(spec.getGroupBy().getValuesList());
      groupValues = new double[groups.size()];
      Set<Double> seen = new HashSet<>();
      for (int i = 0; i < groups.size(); i++) {
        try {
          groupValues[i] = Double.parseDouble(groups.get(i));
        } catch (NumberFormatException e) {
          throw new InvalidSpecException("statistics.group_by.values", "'" + groups.get(i) + "' is not a numeric category code");
        }
        require(seen.add(groupValues[i]), "statistics.group_by.values", "'" + groups.get(i) + "' is declared twice");
      }
    } else {
      groups = List.of("all");
      groupValues = null;
    }
    if (spec.hasHistogram()) {
      require(!spec.getHistogram().getColumn().isBlank(), "statistics.histogram.column", "must name a column");
      edges = spec.getHistogram().getEdgesList().stream().mapToDouble(Double::doubleValue).toArray();
      require(edges.length >= 2 && edges.length <= 1001, "statistics.histogram.edges", "needs 2..1001 edges, got " + edges.length);
      for (int i = 1; i < edges.length; i++) {
        require(Double.isFinite(edges[i - 1]) && edges[i] > edges[i - 1], "statistics.histogram.edges",
            "must be finite and strictly increasing");
      }
    } else {
      edges = new double[0];
    }
    this.sumCodec = codec(bound, noisy, "statistics.lower/upper");
    this.squareCodec = codec(bound * bound, noisy, "statistics.lower/upper (squared)");
  }

  /** Validates a spec; throws {@link InvalidSpecException} naming the field. */
  public static StatisticsQuery of(StatisticsSpec spec, boolean noisy) {
    return new StatisticsQuery(spec, noisy);
  }

  private static FixedPoint codec(double maxAbs, boolean noisy, String field) {
    int headroom = (int) Math.floor(62 - Math.log(maxAbs * MAX_TOTAL_ROWS) / Math.log(2)) - 1;
    int bits = Math.min(16, headroom);
    if (noisy) bits = Math.min(bits, 16 - (int) Math.ceil(Math.log(maxAbs) / Math.log(2)));
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

  private int block() {
    return 3 + bins();
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
    out.add(new NoiseComponentSpec("count", 1, 1));
    double s = sumCodec.encode(bound);
    out.add(new NoiseComponentSpec("sum", s, s));
    double q = squareCodec.encode(bound * bound);
    out.add(new NoiseComponentSpec("sum_of_squares", q, q));
    if (bins() > 0) out.add(new NoiseComponentSpec("histogram", 1, 1));
    return out;
  }

  public int[] fractionalBits() {
    return bins() > 0 ? new int[] {0, sumCodec.fractionalBits(), squareCodec.fractionalBits(), 0}
        : new int[] {0, sumCodec.fractionalBits(), squareCodec.fractionalBits()};
  }

  /**
   * The noise for a job: aggregate Skellam parameters per component (all zero for an exact
   * release) and the privacy they give.
   */
  public record NoisePlan(double[] mu, double epsilon, double delta, double rdpOrder) {
    public boolean exact() {
      return Double.isInfinite(epsilon);
    }
  }

  public NoisePlan plan(double epsilon, double delta) {
    List<NoiseComponentSpec> comps = noiseComponents();
    if (Double.isInfinite(epsilon)) return new NoisePlan(new double[comps.size()], epsilon, delta, Double.NaN);
    SkellamAccountant.Calibration c = SkellamAccountant.calibrate(comps, epsilon, delta);
    return new NoisePlan(c.mu(), c.spent().epsilon(), delta, c.spent().order());
  }

  /**
   * The accounting released with a result. Every contributor added Sk(mu/t), so the released
   * noise has parameter mu * contributors / t (at least mu, since contributors >= t).
   */
  public PrivacyAccounting accounting(NoisePlan plan, int threshold, List<String> contributors, List<String> dropped) {
    PrivacyAccounting.Builder b = PrivacyAccounting.newBuilder()
        .setMechanism(plan.exact() ? "none (exact release)" : "distributed Skellam, noise calibrated for t survivors")
        .setEpsilon(plan.epsilon()).setDelta(plan.delta()).setRdpOrder(plan.rdpOrder()).setThreshold(threshold)
        .addAllContributors(contributors).addAllDropped(dropped);
    List<NoiseComponentSpec> comps = noiseComponents();
    int[] bits = fractionalBits();
    for (int i = 0; i < comps.size(); i++) {
      b.addComponents(NoiseComponent.newBuilder().setName(comps.get(i).name())
          .setL1Sensitivity(comps.get(i).l1Sensitivity()).setL2Sensitivity(comps.get(i).l2Sensitivity())
          .setMu(plan.mu()[i]).setFractionalBits(bits[i])
          .setStddev(Math.scalb(Math.sqrt(2 * plan.mu()[i] * contributors.size() / threshold), -bits[i])));
    }
    return b.build();
  }

  /** The local step's output: the encoded exact contribution and the cohort size. */
  public record LocalContribution(RingVector encoded, long cohortSize) {}

  /** Local step: this node's exact contribution, encoded. Never leaves the node unmasked. */
  public LocalContribution local(Dataset data) {
    long[] v = new long[vectorLength()];
    long cohort = forEachCohortRow(data, (g, x, h) -> {
      int base = g * block();
      v[base] += 1;
      v[base + 1] += sumCodec.encode(x);
      v[base + 2] += squareCodec.encode(x * x);
      int bin = bin(h);
      if (bin >= 0) v[base + 3 + bin] += 1;
    });
    return new LocalContribution(RingVector.adopt(v), cohort);
  }

  /** This node's share of the noise: Sk(mu_c / t) on every coordinate of component c. */
  public RingVector noiseShare(double[] aggregateMu, int threshold, SkellamNoise sampler) {
    long[] v = new long[vectorLength()];
    for (int g = 0; g < groups.size(); g++) {
      int base = g * block();
      for (int i = 0; i < block(); i++) v[base + i] = sampler.sample(aggregateMu[Math.min(i, 3)] / threshold);
    }
    return RingVector.adopt(v);
  }

  /** Combine step: decodes the aggregated (noised) vector into released statistics. */
  public StatisticsResult release(RingVector aggregate) {
    if (aggregate.length() != vectorLength()) {
      throw new IllegalArgumentException("aggregate has length " + aggregate.length() + ", expected " + vectorLength());
    }
    StatisticsResult.Builder r = header();
    for (int g = 0; g < groups.size(); g++) {
      int base = g * block();
      double count = aggregate.get(base);
      double sum = sumCodec.decode(aggregate.get(base + 1));
      double squares = squareCodec.decode(aggregate.get(base + 2));
      double[] hist = new double[bins()];
      for (int b = 0; b < hist.length; b++) hist[b] = aggregate.get(base + 3 + b);
      r.addGroups(group(groups.get(g), count, sum, squares, hist));
    }
    return r.build();
  }

  /** The same statistics computed exactly in the clear, for the pooled reference only. */
  public StatisticsResult exact(Dataset pooled) {
    double[][] acc = new double[groups.size()][block()];
    forEachCohortRow(pooled, (g, x, h) -> {
      acc[g][0] += 1;
      acc[g][1] += x;
      acc[g][2] += x * x;
      int bin = bin(h);
      if (bin >= 0) acc[g][3 + bin] += 1;
    });
    StatisticsResult.Builder r = header();
    for (int g = 0; g < groups.size(); g++) {
      double[] hist = java.util.Arrays.copyOfRange(acc[g], 3, block());
      r.addGroups(group(groups.get(g), acc[g][0], acc[g][1], acc[g][2], hist));
    }
    return r.build();
  }

  private StatisticsResult.Builder header() {
    StatisticsResult.Builder r = StatisticsResult.newBuilder().setColumn(spec.getColumn());
    if (spec.hasHistogram()) {
      r.setHistogramColumn(spec.getHistogram().getColumn()).addAllHistogramEdges(spec.getHistogram().getEdgesList());
    }
    return r;
  }

  private static GroupStatistics group(String label, double count, double sum, double squares, double[] hist) {
    double mean = count > 0 ? sum / count : Double.NaN;
    double variance = count > 1 ? Math.max(0, (squares - count * mean * mean) / (count - 1)) : Double.NaN;
    GroupStatistics.Builder b = GroupStatistics.newBuilder().setGroup(label).setCount(count).setSum(sum)
        .setMean(mean).setVariance(variance);
    for (double h : hist) b.addHistogram(h);
    return b.build();
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
      visitor.visit(g, Math.min(Math.max(x, spec.getLower()), spec.getUpper()), h);
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
