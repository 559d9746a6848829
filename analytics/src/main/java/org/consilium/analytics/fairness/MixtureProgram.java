package org.consilium.analytics.fairness;

/**
 * The weights of exponentiated gradient's classifiers in the final randomised classifier, as
 * Fairlearn chooses them (its best response of the Q player over the classifiers found): the
 * linear program
 * <pre>  minimise  sum_t q_t err_t + B s
 *   subject to  sum_t q_t gamma_(j,t) - s <= tolerance  for every signed constraint j,
 *               sum_t q_t = 1,  q >= 0,  s >= 0,</pre>
 * always feasible (s takes up what no mixture can meet). Solved exactly by a dense two-phase
 * simplex with Bland's rule (the programs are tiny: at most 50 classifiers).
 */
final class MixtureProgram {
  private static final double EPS = 1e-12;

  private MixtureProgram() {}

  /** errors[t]: classifier t's error; moments[t][j]: its j-th signed constraint value (moment, or minus it). */
  static double[] solve(double[] errors, double[][] moments, double tolerance, double bound) {
    int t = errors.length;
    int m = moments[0].length;
    // Columns: q (t), s, slacks (m), artificial (1); rows: m inequalities, 1 equality.
    int cols = t + 1 + m + 1;
    int rows = m + 1;
    double[][] a = new double[rows][cols + 1];
    int[] basis = new int[rows];
    for (int j = 0; j < m; j++) {
      for (int k = 0; k < t; k++) a[j][k] = moments[k][j];
      a[j][t] = -1;
      a[j][t + 1 + j] = 1;
      a[j][cols] = tolerance;
      basis[j] = t + 1 + j;
    }
    for (int k = 0; k < t; k++) a[m][k] = 1;
    a[m][cols - 1] = 1;
    a[m][cols] = 1;
    basis[m] = cols - 1;
    double[] phase1 = new double[cols];
    phase1[cols - 1] = 1;
    simplex(a, basis, phase1, cols);
    // Phase 2: the artificial leaves (it is 0 at a feasible point); keep it out of the basis.
    double[] cost = new double[cols];
    System.arraycopy(errors, 0, cost, 0, t);
    cost[t] = bound;
    cost[cols - 1] = 1e9;
    simplex(a, basis, cost, cols);
    double[] q = new double[t];
    for (int r = 0; r < rows; r++) if (basis[r] < t) q[basis[r]] = Math.max(0, a[r][cols]);
    double sum = 0;
    for (double v : q) sum += v;
    for (int k = 0; k < t; k++) q[k] /= sum;
    return q;
  }

  private static void simplex(double[][] a, int[] basis, double[] cost, int cols) {
    int rows = a.length;
    for (int iteration = 0; iteration < 10_000; iteration++) {
      int enter = -1;
      for (int c = 0; c < cols && enter < 0; c++) {
        double reduced = cost[c];
        for (int r = 0; r < rows; r++) reduced -= cost[basis[r]] * a[r][c];
        if (reduced < -EPS && !inBasis(basis, c)) enter = c; // Bland: the first improving column
      }
      if (enter < 0) return;
      int leave = -1;
      double best = Double.POSITIVE_INFINITY;
      for (int r = 0; r < rows; r++) {
        if (a[r][enter] > EPS) {
          double ratio = a[r][cols] / a[r][enter];
          if (ratio < best - EPS || (Math.abs(ratio - best) <= EPS && basis[r] < basis[leave])) {
            best = ratio;
            leave = r;
          }
        }
      }
      if (leave < 0) throw new IllegalStateException("the mixture program is unbounded (it cannot be: every weight is at most 1)");
      double pivot = a[leave][enter];
      for (int c = 0; c <= cols; c++) a[leave][c] /= pivot;
      for (int r = 0; r < rows; r++) {
        if (r == leave || a[r][enter] == 0) continue;
        double f = a[r][enter];
        for (int c = 0; c <= cols; c++) a[r][c] -= f * a[leave][c];
      }
      basis[leave] = enter;
    }
    throw new IllegalStateException("the mixture program did not converge");
  }

  private static boolean inBasis(int[] basis, int c) {
    for (int b : basis) if (b == c) return true;
    return false;
  }
}
