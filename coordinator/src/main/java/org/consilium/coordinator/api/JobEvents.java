package org.consilium.coordinator.api;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.consilium.coordinator.state.ClusterState;

/**
 * Job record changes as they happen, for the console's live job page. Listens to the cluster's
 * jobs map, so a job run by any coordinator instance is seen by every instance's subscribers;
 * subscribers are called on the API's event loop.
 */
final class JobEvents implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {
  private final Context context;
  private final Map<String, List<Consumer<JsonObject>>> subscribers = new HashMap<>();
  private final ClusterState state;
  private UUID registration;

  JobEvents(Context context, ClusterState state) {
    this.context = context;
    this.state = state;
  }

  void start() {
    registration = state.jobs().addEntryListener(this, true);
  }

  void stop() {
    if (registration != null) state.jobs().removeEntryListener(registration);
  }

  /** Calls the consumer with every new version of the job's record; returns the cancel action. */
  Runnable subscribe(String jobId, Consumer<JsonObject> consumer) {
    subscribers.computeIfAbsent(jobId, k -> new ArrayList<>()).add(consumer);
    return () -> {
      List<Consumer<JsonObject>> list = subscribers.get(jobId);
      if (list != null) {
        list.remove(consumer);
        if (list.isEmpty()) subscribers.remove(jobId);
      }
    };
  }

  @Override
  public void entryAdded(EntryEvent<String, String> e) {
    dispatch(e);
  }

  @Override
  public void entryUpdated(EntryEvent<String, String> e) {
    dispatch(e);
  }

  private void dispatch(EntryEvent<String, String> e) {
    String id = e.getKey();
    String value = e.getValue();
    context.runOnContext(v -> {
      List<Consumer<JsonObject>> list = subscribers.get(id);
      if (list != null) new ArrayList<>(list).forEach(c -> c.accept(new JsonObject(value)));
    });
  }
}
