package org.consilium.analytics.report;

import java.util.List;
import java.util.Locale;
import org.consilium.analytics.wire.Datasheet;
import org.consilium.analytics.wire.DatasheetSection;
import org.consilium.analytics.wire.SiteComposition;

/** Renders a consortium datasheet (Gebru et al.) as Markdown. */
public final class Datasheets {
  private static final List<String> SECTIONS = List.of("motivation", "composition", "collection", "preprocessing", "uses",
      "distribution", "maintenance");

  private Datasheets() {}

  public static String markdown(Datasheet d) {
    StringBuilder md = new StringBuilder("# Consortium datasheet\n\n");
    for (String section : SECTIONS) {
      md.append("## ").append(Character.toUpperCase(section.charAt(0))).append(section.substring(1)).append("\n\n");
      if (section.equals("composition")) {
        composition(md, d);
        continue;
      }
      boolean any = false;
      for (DatasheetSection a : d.getAnswersList()) {
        if (a.getSection().equals(section)) {
          md.append("- **").append(a.getNode()).append("**: ").append(a.getText()).append('\n');
          any = true;
        }
      }
      md.append(any ? "\n" : "No node answered this section.\n\n");
    }
    if (d.getModelsCount() > 0) {
      md.append("## Models trained on this data\n\n");
      for (var m : d.getModelsList()) {
        md.append(String.format(Locale.ROOT, "- `%s` version %d (%s): model card %s; drift history %s (%d measurement(s), %d alert(s))%n",
            m.getModel(), m.getVersion(), m.getStage(), m.getModelCard(), m.getDriftHistory(), m.getDriftRuns(), m.getDriftAlerts()));
      }
      md.append('\n');
    }
    return md.toString();
  }

  private static void composition(StringBuilder md, Datasheet d) {
    md.append(String.format(Locale.ROOT, "Counts per site, each with %s (epsilon %.3g); label: %s.%n%n",
        d.getPrivacy().getMechanism(), d.getPrivacy().getEpsilon(), d.getLabel()));
    if (!d.getCountMarginsMap().isEmpty()) {
      md.append("Each count is differentially private: with 95% probability it is within");
      d.getCountMarginsMap().forEach((k, v) -> md.append(String.format(Locale.ROOT, " +-%.1f (%s)", v, k)));
      md.append(" of the true count; none is below zero and no part exceeds its site's rows.\n\n");
    }
    md.append("| site | rows | positive |");
    d.getGroupValuesList().forEach(g -> md.append(' ').append(d.getGroupColumn()).append('=').append(g).append(" |"));
    d.getColumnsList().forEach(c -> md.append(" missing ").append(c).append(" |"));
    md.append("\n|---|---|---|");
    for (int i = 0; i < d.getGroupValuesCount() + d.getColumnsCount(); i++) md.append("---|");
    md.append('\n');
    for (SiteComposition s : d.getCompositionList()) {
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f |", s.getSite(), s.getRows(), s.getLabelPositive()));
      s.getGroupRowsList().forEach(g -> md.append(String.format(Locale.ROOT, " %.0f |", g)));
      s.getMissingList().forEach(m -> md.append(String.format(Locale.ROOT, " %.0f |", m)));
      md.append('\n');
    }
    md.append('\n');
    for (SiteComposition s : d.getCompositionList()) {
      for (var h : s.getDistributionsList()) {
        md.append("- ").append(s.getSite()).append(", distribution of ").append(h.getColumn()).append(": ");
        for (int b = 0; b < h.getCountsCount(); b++) {
          md.append(String.format(Locale.ROOT, "%s[%.4g, %.4g) %.0f", b == 0 ? "" : ", ", h.getEdges(b), h.getEdges(b + 1), h.getCounts(b)));
        }
        md.append('\n');
      }
    }
    md.append('\n');
  }
}
