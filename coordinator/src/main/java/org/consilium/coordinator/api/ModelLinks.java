package org.consilium.coordinator.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.consilium.analytics.wire.RegistryEntry;
import org.consilium.coordinator.monitor.DriftMonitors;

/**
 * The links between a registered model's documents: its model card names its registry entry,
 * the datasheet of its data and its drift history; a datasheet names the registered models
 * whose lineage cites it. Computed when a card or datasheet is served (the released results
 * never change). Blocking (the cluster store): call off the event loop.
 */
final class ModelLinks {
  private static final int RECENT_ALERTS = 5;
  private final DriftMonitors monitors;

  ModelLinks(DriftMonitors monitors) {
    this.monitors = monitors;
  }

  /** The registry entry of a training job's model, if it is registered (released). */
  Optional<RegistryEntry> ofModel(String jobId) {
    var all = monitors.registry().all();
    for (var e : all.entrySet()) {
      for (JsonObject v : e.getValue()) {
        if (v.getString("jobId").equals(jobId)) return Optional.of(entry(e.getKey(), v));
      }
    }
    return Optional.empty();
  }

  /** The registered models whose lineage names this datasheet job. */
  List<RegistryEntry> citing(String datasheetJobId) {
    List<RegistryEntry> out = new ArrayList<>();
    monitors.registry().all().forEach((name, versions) -> versions.forEach(v -> {
      JsonObject sheet = v.getJsonObject("lineage").getJsonObject("datasheet");
      if (sheet != null && datasheetJobId.equals(sheet.getString("jobId"))) out.add(entry(name, v));
    }));
    return out;
  }

  private RegistryEntry entry(String name, JsonObject v) {
    JsonObject lineage = v.getJsonObject("lineage");
    RegistryEntry.Builder r = RegistryEntry.newBuilder().setModel(name).setVersion(v.getInteger("version")).setStage(v.getString("stage"))
        .setJobId(v.getString("jobId")).setModelCard(lineage.getString("modelCard")).setDriftHistory(lineage.getString("driftHistory"));
    JsonObject sheet = lineage.getJsonObject("datasheet");
    if (sheet != null) r.setDatasheetJobId(sheet.getString("jobId")).setDatasheet(sheet.getString("url"));
    JsonArray runs = monitors.history(name, v.getInteger("version")).getJsonArray("runs");
    List<String> alerts = new ArrayList<>();
    int measured = 0;
    for (Object o : runs) {
      JsonObject run = (JsonObject) o;
      if (!run.containsKey("report")) continue;
      measured++;
      r.setLastDriftAt(run.getString("at"));
      for (Object a : run.getJsonArray("alerts", new JsonArray())) {
        JsonObject alert = (JsonObject) a;
        alerts.add(String.format(Locale.ROOT, "%s / %s: PSI %.3g (%s)", alert.getString("site"), alert.getString("feature"),
            alert.getDouble("psi"), run.getString("at")));
      }
    }
    return r.setDriftRuns(measured).setDriftAlerts(alerts.size())
        .addAllRecentAlerts(alerts.subList(Math.max(0, alerts.size() - RECENT_ALERTS), alerts.size())).build();
  }
}
