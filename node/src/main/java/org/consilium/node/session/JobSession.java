package org.consilium.node.session;

import java.util.List;
import org.consilium.analytics.wire.Frame;

/** One job in progress at a node, for one aggregation backend: protocol frames in, frames out. */
interface JobSession {
  /** The frames to send right after accepting. */
  List<Frame> start();

  List<Frame> onFrame(Frame f);

  /** True once anything computed from the data (masked or encrypted) has left the node. */
  boolean dataSent();

  /** Whether answering this frame takes long (threshold decryption): the agent then answers it off the link's thread. */
  default boolean slow(Frame f) {
    return false;
  }

  /** The job ended: work in progress stops at its next check. */
  default void cancel() {}
}
