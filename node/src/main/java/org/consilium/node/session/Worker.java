package org.consilium.node.session;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import org.consilium.analytics.wire.Frame;

/** Where a node's slow answers run: the link's worker, or (tests, in-process agents without one) at once. */
final class Worker {
  private NodeAgent.SlowWork slowWork;

  void use(NodeAgent.SlowWork slowWork) {
    this.slowWork = slowWork;
  }

  /**
   * Runs work on the worker and its outcome back on the link's thread; returns nothing now (the
   * answer leaves later). Without a worker both run here, at once, and the answer is returned.
   */
  List<Frame> run(Callable<List<Frame>> work, BiFunction<List<Frame>, Throwable, List<Frame>> back, boolean inOrder) {
    if (slowWork != null) {
      slowWork.run(work, back, inOrder);
      return List.of();
    }
    List<Frame> done;
    try {
      done = work.call();
    } catch (Exception e) {
      return back.apply(null, e);
    }
    return back.apply(done, null);
  }
}
