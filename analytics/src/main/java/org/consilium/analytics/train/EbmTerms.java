package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.List;
import org.consilium.analytics.data.Dataset;

/**
 * The additive terms of an EBM and where each one's scores sit in the model vector: the
 * intercept first, then every main effect's bins, then every interaction's cells (row-major,
 * the first feature's coarse bin outer). A row's score is the intercept plus its cell in each term.
 */
record EbmTerms(List<FeatureBins> mains, List<Pair> pairs) {
  /** An interaction of two main effects (their indices) on their coarse axes. */
  record Pair(int a, int b, FeatureBins axisA, FeatureBins axisB) {
    int size() {
      return axisA.size() * axisB.size();
    }
  }

  EbmTerms {
    mains = List.copyOf(mains);
    pairs = List.copyOf(pairs);
  }

  /** The pair of main effects a and b on at most m bins per axis. */
  static Pair pair(List<FeatureBins> mains, int a, int b, int m) {
    if (a < 0 || b <= a || b >= mains.size()) throw new IllegalArgumentException("no interaction of features " + a + " and " + b);
    return new Pair(a, b, mains.get(a).coarse(m), mains.get(b).coarse(m));
  }

  int count() {
    return mains.size() + pairs.size();
  }

  int size(int term) {
    return term < mains.size() ? mains.get(term).size() : pairs.get(term - mains.size()).size();
  }

  /** Where a term's first score sits in the model vector. */
  int offset(int term) {
    int at = 1;
    for (int t = 0; t < term; t++) at += size(t);
    return at;
  }

  int length() {
    return offset(count());
  }

  /** Every listed row's cell in every term ([term][row]; -1 where a value is missing or a code undeclared). */
  int[][] cells(Dataset data, int[] rowIndex) {
    int[] cols = mains.stream().mapToInt(b -> data.requireColumn(b.feature())).toArray();
    int[][] out = new int[count()][rowIndex.length];
    for (int i = 0; i < rowIndex.length; i++) {
      for (int k = 0; k < mains.size(); k++) out[k][i] = mains.get(k).of(data.value(rowIndex[i], cols[k]));
    }
    for (int p = 0; p < pairs.size(); p++) out[mains.size() + p] = cells(pairs.get(p), data, rowIndex);
    return out;
  }

  /** Every listed row's cell of one interaction (-1 where either value is missing or a code undeclared). */
  int[] cells(Pair q, Dataset data, int[] rowIndex) {
    int colA = data.requireColumn(mains.get(q.a()).feature());
    int colB = data.requireColumn(mains.get(q.b()).feature());
    int[] out = new int[rowIndex.length];
    for (int i = 0; i < rowIndex.length; i++) {
      int a = q.axisA().of(data.value(rowIndex[i], colA));
      int b = q.axisB().of(data.value(rowIndex[i], colB));
      out[i] = a < 0 || b < 0 ? -1 : a * q.axisB().size() + b;
    }
    return out;
  }

  /** Each row's additive score under the model: the intercept and its cell of every term (a missing cell adds nothing). */
  double[] logits(double[] model, int[][] cells) {
    if (model.length != length()) throw new IllegalArgumentException("step carries " + model.length + " model values, the EBM has " + length());
    int n = cells.length == 0 ? 0 : cells[0].length;
    double[] out = new double[n];
    java.util.Arrays.fill(out, model[0]);
    for (int t = 0, at = 1; t < count(); at += size(t), t++) {
      for (int i = 0; i < n; i++) if (cells[t][i] >= 0) out[i] += model[at + cells[t][i]];
    }
    return out;
  }

  /** All pairs of main effects, in order (0,1), (0,2), ..., on at most m bins per axis: the candidates FAST ranks. */
  static List<Pair> candidates(List<FeatureBins> mains, int m) {
    List<Pair> out = new ArrayList<>();
    for (int a = 0; a < mains.size(); a++) for (int b = a + 1; b < mains.size(); b++) out.add(pair(mains, a, b, m));
    return out;
  }
}
