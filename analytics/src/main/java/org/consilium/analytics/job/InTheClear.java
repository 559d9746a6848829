package org.consilium.analytics.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.StepStart;
import org.consilium.mpc.ring.RingVector;

/**
 * Runs a computation with every site in one process and its aggregates summed in the clear: the
 * computation's arithmetic, noise and release without any cryptography or network (as FRESCO's
 * dummy suite does for its protocols). It sees every site's contribution, so it is for tests and
 * benchmarks only; no program uses it.
 */
public final class InTheClear {
  private InTheClear() {}

  /** The result of the computation over these sites (in party order), each adding its own noise share. */
  public static JobResult run(Computation computation, Map<String, Dataset> sites, int threshold, SkellamNoise noise) {
    List<String> ids = List.copyOf(sites.keySet());
    List<Computation.Contributor> contributors = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) contributors.add(computation.contributor(sites.get(ids.get(i)), i + 1, threshold, noise));
    Computation.Driver driver = computation.driver(ids, threshold, site -> List.<DatasheetAnswer>of());
    StepStart step = computation.openingStep().orElse(driver.current());
    while (true) {
      RingVector sum = null;
      for (Computation.Contributor c : contributors) {
        RingVector v = c.input(step);
        sum = sum == null ? v : sum.plus(v);
      }
      Computation.Outcome outcome = driver.onAggregate(sum, ids);
      if (outcome instanceof Computation.Outcome.Release r) return r.result();
      step = ((Computation.Outcome.Next) outcome).step();
    }
  }
}
