package org.consilium.analytics.fairness;

import java.util.ArrayList;
import java.util.List;

/**
 * The upper convex hull of a group's ROC points (one per cut), from (0, 0) to (1, 1): every
 * (false positive rate, true positive rate) a randomised mix of two cuts can reach, at its best.
 */
final class RocHull {
  /** A hull vertex: the rates of one cut. */
  record Vertex(double fpr, double tpr, int cut) {}

  /** A point on the hull: a mix of two vertices' cuts, the second with weight w. */
  record Mix(Vertex from, Vertex to, double w) {
    double fpr() {
      return from.fpr() + w * (to.fpr() - from.fpr());
    }

    double tpr() {
      return from.tpr() + w * (to.tpr() - from.tpr());
    }
  }

  final List<Vertex> vertices;

  /** Needs at least one positive and one negative record. */
  RocHull(CutCounts g) {
    List<Vertex> points = new ArrayList<>();
    for (int k = g.bins; k >= 0; k--) points.add(new Vertex(g.fp(k) / g.negatives(), g.tp(k) / g.positives(), k));
    // Cuts from "never" down to "always": both rates only grow. Of equal FPR keep the best TPR, but
    // keep "never" (0, 0) first: a low true positive rate at no false positives mixes it in.
    List<Vertex> upper = new ArrayList<>();
    for (Vertex p : points) {
      if (upper.size() > 1 && upper.get(upper.size() - 1).fpr() == p.fpr()) upper.remove(upper.size() - 1);
      while (upper.size() >= 2 && cross(upper.get(upper.size() - 2), upper.get(upper.size() - 1), p) >= 0) upper.remove(upper.size() - 1);
      upper.add(p);
    }
    this.vertices = List.copyOf(upper);
  }

  /** > 0 when b turns left of o -> a (a lies below the chord o -> b, so it is not on the upper hull). */
  private static double cross(Vertex o, Vertex a, Vertex b) {
    return (a.fpr() - o.fpr()) * (b.tpr() - o.tpr()) - (a.tpr() - o.tpr()) * (b.fpr() - o.fpr());
  }

  /** The hull at a false positive rate in [0, 1]. */
  Mix atFpr(double x) {
    for (int i = 0; i + 1 < vertices.size(); i++) {
      Vertex a = vertices.get(i);
      Vertex b = vertices.get(i + 1);
      // On a vertical segment (only ever the first, at FPR 0) the top is the best true positive rate.
      if (x <= b.fpr()) return new Mix(a, b, b.fpr() == a.fpr() ? 1 : Math.max(0, (x - a.fpr()) / (b.fpr() - a.fpr())));
    }
    Vertex last = vertices.get(vertices.size() - 1);
    return new Mix(last, last, 0);
  }

  /** The least false positive rate on the hull with this true positive rate in [0, 1]. */
  Mix atTpr(double y) {
    for (int i = 0; i + 1 < vertices.size(); i++) {
      Vertex a = vertices.get(i);
      Vertex b = vertices.get(i + 1);
      if (y <= a.tpr()) return new Mix(a, a, 0);
      if (y <= b.tpr()) return new Mix(a, b, (y - a.tpr()) / (b.tpr() - a.tpr()));
    }
    Vertex last = vertices.get(vertices.size() - 1);
    return new Mix(last, last, 0);
  }
}
