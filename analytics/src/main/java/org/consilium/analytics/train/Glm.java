package org.consilium.analytics.train;

import org.consilium.analytics.wire.TrainSpec;

/** The per-example pieces both optimisers share: linear predictor, mean, residual and loss. */
final class Glm {
  private Glm() {}

  static double eta(double[] x, double[] beta) {
    double eta = 0;
    for (int j = 0; j < beta.length; j++) eta += x[j] * beta[j];
    return eta;
  }

  static double sigmoid(double eta) {
    return eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta));
  }

  /** The mean of the response: p for logistic, eta for linear. */
  static double mean(TrainSpec.Model model, double eta) {
    return model == TrainSpec.Model.LOGISTIC ? sigmoid(eta) : eta;
  }

  /** Negative log-likelihood of one example: log(1 + e^eta) - y eta (without overflow), or half the squared error. */
  static double loss(TrainSpec.Model model, double eta, double y) {
    if (model == TrainSpec.Model.LOGISTIC) return (eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta))) - y * eta;
    return 0.5 * (eta - y) * (eta - y);
  }
}
