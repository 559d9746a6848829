package org.consilium.analytics.train;

import org.consilium.analytics.wire.TrainSpec;

/**
 * Newton's method for logistic and linear regression as a (local step, combine step) pair.
 * The local step sums, over a node's rows, what Newton needs: the row count, the loss, the
 * gradient and the upper triangle of the Hessian at the current coefficients. Those sums add
 * across nodes, so the combine step sees exactly what a pooled computation would (up to the
 * fixed-point encoding of the secure sum) and takes the step (H + l2 I')^-1 (g + l2 I' beta),
 * where I' leaves the intercept unpenalised.
 *
 * <p>Losses are sums, not means: l2 is on the scale of the total loss, as in a pooled fit of
 * sum of losses + l2/2 |beta without intercept|^2.
 */
public final class GlmNewton {
  private final TrainSpec.Model model;
  private final int width;
  private final double l2;

  public GlmNewton(TrainSpec.Model model, int width, double l2) {
    if (width < 1) throw new IllegalArgumentException("width must be positive");
    if (!(l2 >= 0) || Double.isInfinite(l2)) throw new IllegalArgumentException("l2 must be finite and >= 0, got " + l2);
    this.model = model;
    this.width = width;
    this.l2 = l2;
  }

  /** Length of the local step's vector: [rows, loss, gradient (width), Hessian upper triangle]. */
  public int stepLength() {
    return 2 + width + width * (width + 1) / 2;
  }

  /** Local step: the sums over this node's rows at coefficients beta. */
  public double[] localStep(FeatureSpace.Rows rows, double[] beta) {
    return localStep(rows, beta, null);
  }

  /**
   * The same with a weight per row (null: all 1): each row's loss, gradient and Hessian terms
   * scaled by it. Rows are taken four at a time and the Hessian's triangle two of its rows at a
   * time, so that each Hessian entry is loaded and stored once per four rows and each design value
   * read once for two entries (the node's hottest loop: 50,000 rows x 1,326 entries per Newton
   * round at 50 features); {@link #localStepRowByRow} is the definition the tests hold it to.
   */
  public double[] localStep(FeatureSpace.Rows rows, double[] beta, double[] weights) {
    double[] out = new double[stepLength()];
    int n = rows.size();
    double[][] xs = rows.x();
    double[] residual = new double[4];
    double[] weight = new double[4];
    int r = 0;
    for (; r + 4 <= n; r += 4) {
      for (int i = 0; i < 4; i++) rowTerms(rows, beta, weights, r + i, out, residual, weight, i);
      double[] x0 = xs[r];
      double[] x1 = xs[r + 1];
      double[] x2 = xs[r + 2];
      double[] x3 = xs[r + 3];
      for (int j = 0; j < width; j++) {
        out[2 + j] += residual[0] * x0[j] + residual[1] * x1[j] + residual[2] * x2[j] + residual[3] * x3[j];
      }
      int h = 2 + width; // where the Hessian's row j starts (its entries k = j..width-1)
      int j = 0;
      for (; j + 2 <= width; j += 2) { // rows j and j + 1 of the triangle together: each x[k] is loaded once for both
        double a0 = weight[0] * x0[j];
        double a1 = weight[1] * x1[j];
        double a2 = weight[2] * x2[j];
        double a3 = weight[3] * x3[j];
        double b0 = weight[0] * x0[j + 1];
        double b1 = weight[1] * x1[j + 1];
        double b2 = weight[2] * x2[j + 1];
        double b3 = weight[3] * x3[j + 1];
        out[h] += a0 * x0[j] + a1 * x1[j] + a2 * x2[j] + a3 * x3[j];
        int hb = h + width - j; // row j + 1 starts after row j's width - j entries
        for (int k = j + 1; k < width; k++) {
          double y0 = x0[k];
          double y1 = x1[k];
          double y2 = x2[k];
          double y3 = x3[k];
          out[h + k - j] += a0 * y0 + a1 * y1 + a2 * y2 + a3 * y3;
          out[hb + k - j - 1] += b0 * y0 + b1 * y1 + b2 * y2 + b3 * y3;
        }
        h = hb + width - j - 1;
      }
      if (j < width) {
        out[h] += weight[0] * x0[j] * x0[j] + weight[1] * x1[j] * x1[j] + weight[2] * x2[j] * x2[j] + weight[3] * x3[j] * x3[j];
      }
    }
    for (; r < n; r++) addRow(rows, beta, weights, r, out, residual, weight);
    return out;
  }

  /** The definition of {@link #localStep}: every row's terms added on their own. */
  public double[] localStepRowByRow(FeatureSpace.Rows rows, double[] beta, double[] weights) {
    double[] out = new double[stepLength()];
    double[] residual = new double[1];
    double[] weight = new double[1];
    for (int r = 0; r < rows.size(); r++) addRow(rows, beta, weights, r, out, residual, weight);
    return out;
  }

  /** Adds row r's terms to out on their own; residual and weight are scratch (slot 0 is used). */
  private void addRow(FeatureSpace.Rows rows, double[] beta, double[] weights, int r, double[] out, double[] residual, double[] weight) {
    rowTerms(rows, beta, weights, r, out, residual, weight, 0);
    double[] x = rows.x()[r];
    int h = 2 + width;
    for (int j = 0; j < width; j++) {
      out[2 + j] += residual[0] * x[j];
      double wxj = weight[0] * x[j];
      for (int k = j; k < width; k++) out[h++] += wxj * x[k];
    }
  }

  /** Adds row r's count and loss to out; its residual and Hessian weight go to slot i. */
  private void rowTerms(FeatureSpace.Rows rows, double[] beta, double[] weights, int r, double[] out, double[] residual, double[] weight,
      int i) {
    double eta = Glm.eta(rows.x()[r], beta);
    double mu = Glm.mean(model, eta);
    double w = weights == null ? 1 : weights[r];
    double y = rows.y()[r];
    residual[i] = w * (mu - y);
    weight[i] = w * (model == TrainSpec.Model.LOGISTIC ? mu * (1 - mu) : 1);
    out[1] += w * Glm.loss(model, eta, y);
    out[0] += w;
  }

  /** One Newton update from the aggregated sums. */
  public record Update(double[] beta, double loss, double gradientNorm, double maxChange, double rows) {}

  public Update combine(double[] aggregated, double[] beta) {
    if (aggregated.length != stepLength()) throw new IllegalArgumentException("aggregate has length " + aggregated.length + ", expected " + stepLength());
    double[] g = new double[width];
    double[][] h = new double[width][width];
    int at = 2 + width;
    for (int j = 0; j < width; j++) {
      g[j] = aggregated[2 + j] + (j > 0 ? l2 * beta[j] : 0);
      for (int k = j; k < width; k++) {
        h[j][k] = aggregated[at];
        h[k][j] = aggregated[at];
        at++;
      }
      if (j > 0) h[j][j] += l2;
    }
    double[] step = Cholesky.solve(h, g);
    double[] next = new double[width];
    double maxChange = 0;
    double norm = 0;
    for (int j = 0; j < width; j++) {
      next[j] = beta[j] - step[j];
      maxChange = Math.max(maxChange, Math.abs(step[j]));
      norm += g[j] * g[j];
    }
    return new Update(next, penalisedLoss(aggregated, beta), Math.sqrt(norm), maxChange, aggregated[0]);
  }

  /** The penalised loss at beta from a local step's aggregated sums (what {@link #combine} reports). */
  public double penalisedLoss(double[] aggregated, double[] beta) {
    double penalty = 0;
    for (int j = 1; j < width; j++) penalty += 0.5 * l2 * beta[j] * beta[j];
    return aggregated[1] + penalty;
  }

  /**
   * Standard errors of the coefficients: square roots of the diagonal of the inverse of the
   * (regularised) Hessian from the aggregated sums, the observed Fisher information.
   */
  public double[] standardErrors(double[] aggregated) {
    double[][] h = new double[width][width];
    int at = 2 + width;
    for (int j = 0; j < width; j++) {
      for (int k = j; k < width; k++) {
        h[j][k] = aggregated[at];
        h[k][j] = aggregated[at];
        at++;
      }
      if (j > 0) h[j][j] += l2;
    }
    double[] se = new double[width];
    for (int j = 0; j < width; j++) {
      double[] e = new double[width];
      e[j] = 1;
      se[j] = Math.sqrt(Math.max(0, Cholesky.solve(h, e)[j]));
    }
    return se;
  }

  static double sigmoid(double eta) {
    return Glm.sigmoid(eta);
  }

  public double predict(double[] x, double[] beta) {
    return Glm.mean(model, Glm.eta(x, beta));
  }
}
