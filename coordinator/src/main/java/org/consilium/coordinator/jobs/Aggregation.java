package org.consilium.coordinator.jobs;

import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.consilium.analytics.wire.Frame;
import org.consilium.mpc.ring.RingVector;

/**
 * The coordinator's side of one aggregation backend for one job, as a state machine over node
 * ids: frames in, frames out, round by round. It only ever holds protected values (masked
 * vectors or ciphertexts) until the final sum.
 */
interface Aggregation {
  /** The label of the round in progress, e.g. "2 masked-input". */
  String round();

  /** Nodes still expected to answer in this round. */
  SortedSet<String> pending();

  /** Takes one node's frame for this round; throws IllegalArgumentException naming what is wrong. */
  void receive(String node, Frame frame);

  /**
   * Ends the round with the answers received. Throws {@link AggregationFailedException} naming
   * the round when fewer parties than the threshold remain (nothing is released then).
   */
  Closed close();

  /**
   * Whether closing can take long (threshold Paillier: adding every ciphertext vector, combining
   * partial decryptions): then the runner closes the round on a worker thread, not its event loop,
   * and touches nothing else of this aggregation meanwhile.
   */
  default boolean slowToClose() {
    return false;
  }

  /** What closing a round produced: frames to send, and on the last round the sum and who is in it. */
  record Closed(Map<String, List<Frame>> sends, RingVector sum, List<String> contributors) {
    static Closed next(Map<String, List<Frame>> sends) {
      return new Closed(sends, null, List.of());
    }

    boolean isFinal() {
      return sum != null;
    }
  }

  /** The job cannot complete: the message names the round and why. */
  final class AggregationFailedException extends RuntimeException {
    AggregationFailedException(String message) {
      super(message);
    }
  }
}
