package org.consilium.coordinator.cli;

import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.consilium.analytics.data.BadRowPolicy;
import org.consilium.analytics.data.CsvLoader;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.data.DatasetException;
import org.consilium.analytics.train.EbmJob;
import org.consilium.analytics.train.ModelScorer;
import org.consilium.analytics.wire.TrainedModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Scores a CSV with a released model (the JSON of GET /api/v1/jobs/{id}/model). */
@Command(name = "consilium-score", mixinStandardHelpOptions = true, version = "0.1.0",
    description = "Adds a score column to a CSV using a trained Consilium model.")
public final class ScoreCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "model JSON downloaded from the coordinator")
  Path model;

  @Option(names = "--csv", required = true, description = "CSV with a header row and the model's feature columns")
  Path csv;

  @Option(names = "--out", required = true, description = "where to write the CSV with the added 'score' column")
  Path out;

  @Option(names = "--contributions", description = "an EBM's per-term contributions (log odds) beside the score, a column "
      + "'contribution:<term>' per feature and interaction; with the model's intercept they add up to the score's log odds")
  boolean contributions;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ScoreCommand()).execute(args));
  }

  @Override
  public Integer call() {
    try {
      TrainedModel.Builder m = TrainedModel.newBuilder();
      JsonFormat.parser().merge(Files.readString(model), m);
      ModelScorer scorer = new ModelScorer(m.build());
      Dataset data;
      try (java.io.InputStream r = Files.newInputStream(csv)) {
        data = new CsvLoader(BadRowPolicy.FAIL, 10_000_000).load(csv.getFileName().toString(), r);
      }
      double[] scores = scorer.score(data);
      // A fairness mixture decides at random: its probability of a positive decision goes beside the unconstrained score.
      double[] decision = scorer.positiveDecisionProbability(data).orElse(null);
      if (contributions && !m.hasEbm()) throw new IllegalArgumentException("--contributions needs an EBM model; this one is " + m.getSpec().getModel());
      double[][] terms = contributions ? EbmJob.contributions(m.getEbm(), data) : new double[0][];
      java.util.List<String> termNames = contributions ? EbmJob.termNames(m.getEbm()) : java.util.List.of();
      try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
        w.println(String.join(",", data.columns()) + ",score" + (decision == null ? "" : ",positive_decision_probability")
            + termNames.stream().map(t -> ",\"contribution:" + t + "\"").collect(java.util.stream.Collectors.joining()));
        for (int r = 0; r < data.rowCount(); r++) {
          StringBuilder line = new StringBuilder();
          for (int c = 0; c < data.columns().size(); c++) {
            double v = data.value(r, c);
            if (c > 0) line.append(',');
            if (!Double.isNaN(v)) line.append(v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v));
          }
          line.append(',');
          if (!Double.isNaN(scores[r])) line.append(String.format(Locale.ROOT, "%.6f", scores[r]));
          if (decision != null) {
            line.append(',');
            if (!Double.isNaN(decision[r])) line.append(String.format(Locale.ROOT, "%.6f", decision[r]));
          }
          for (double[] term : terms) {
            line.append(',');
            if (!Double.isNaN(term[r])) line.append(String.format(Locale.ROOT, "%.6f", term[r]));
          }
          w.println(line);
        }
      }
      long unscored = java.util.Arrays.stream(scores).filter(Double::isNaN).count();
      System.out.println("scored " + (data.rowCount() - unscored) + " of " + data.rowCount() + " rows into " + out
          + (unscored == 0 ? "" : " (" + unscored + " rows lack a feature or have an undeclared category: empty score)"));
      return 0;
    } catch (IOException | DatasetException | IllegalArgumentException e) {
      System.err.println("consilium-score: " + e.getMessage());
      return 2;
    }
  }
}
