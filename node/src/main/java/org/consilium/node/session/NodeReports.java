package org.consilium.node.session;

import java.util.List;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.wire.AuditLogCopy;
import org.consilium.analytics.wire.DatasetBudget;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.Hello;
import org.consilium.analytics.wire.LedgerEntry;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.wire.PolicySummary;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.ledger.PrivacyLedger;
import org.consilium.node.policy.CohortTest;

/**
 * What a node tells the consortium about itself: its HELLO (datasets, policy, budgets, datasheet
 * answers), its budgets whenever they change, and on request a copy of its audit log (unless
 * its policy keeps the log local). Never anything computed from its data.
 */
final class NodeReports {
  /** How many of the newest ledger entries a node shows the consortium with its budgets. */
  private static final int LEDGER_HISTORY = 100;
  private final NodeConfig config;
  private final PrivacyLedger ledger;
  private final AuditLog audit;

  NodeReports(NodeConfig config, PrivacyLedger ledger, AuditLog audit) {
    this.config = config;
    this.ledger = ledger;
    this.audit = audit;
  }

  Frame hello() {
    Hello.Builder h = Hello.newBuilder().setNodeId(config.nodeId()).setSoftwareVersion(NodeAgent.SOFTWARE_VERSION)
        .addAllDatasets(config.datasets().keySet()).setPolicy(policySummary());
    config.datasheet().forEach((section, text) -> h.addDatasheet(
        DatasheetAnswer.newBuilder().setSection(section).setText(text)));
    return frame(MessageType.HELLO, "", 0, h.build());
  }

  /** The policy and the budgets as the ledger has them now (for the coordinator's registry). */
  PolicySummary policySummary() {
    PolicySummary.Builder p = PolicySummary.newBuilder().addAllAllowedComputations(config.policy().allowedComputations())
        .setMinCohortSize(config.policy().minCohortSize()).setMinParties(config.policy().minParties())
        .setAllowExactRelease(config.policy().allowExactRelease()).addAllAllowedColumns(config.policy().allowedColumns())
        .setDpJobOverheadEpsilon(CohortTest.EPSILON).setAllowPerSiteRelease(config.policy().allowPerSiteRelease())
        .setSecaggMinNeighbours(config.policy().secaggMinNeighbours());
    config.datasets().values().forEach(d -> p.addBudgets(DatasetBudget.newBuilder().setDataset(d.name())
        .setEpsilonCap(d.epsilonCap()).setEpsilonSpent(ledger.spent(d.name()))));
    List<PrivacyLedger.Entry> entries = ledger.entries();
    for (PrivacyLedger.Entry e : entries.subList(Math.max(0, entries.size() - LEDGER_HISTORY), entries.size())) {
      p.addLedger(LedgerEntry.newBuilder().setSeq(e.seq()).setAt(e.at().toString()).setKind(e.kind().name())
          .setDataset(e.dataset()).setJobId(e.job()).setEpsilon(e.epsilon()));
    }
    return p.build();
  }

  /** Tells the coordinator the budgets after they changed (a reservation, a refund). */
  Frame status() {
    return frame(MessageType.NODE_STATUS, "", 0, policySummary());
  }

  /**
   * A copy of this node's audit log for the consortium's administrators, unless the node's
   * policy keeps it local. The log holds only what the coordinator already took part in
   * (offers, decisions, rounds, digests), never data; it is signed, so the copy can be verified.
   */
  Frame auditCopy(String requestId) {
    if (!config.shareAuditLog()) {
      return error(requestId, "audit_not_shared", "this node keeps its audit log local (audit.share_with_coordinator: false); "
          + "read it on the node with consilium-audit");
    }
    List<String> lines = audit.lines();
    long bytes = lines.stream().mapToLong(l -> l.length() + 8L).sum();
    if (bytes > config.maxFrameBytes() / 2) {
      return error(requestId, "audit_too_large", "the audit log (" + bytes + " bytes) is larger than a frame may carry; "
          + "read it on the node with consilium-audit");
    }
    audit.append("audit.shared", "", "entries", Integer.toString(lines.size()));
    return frame(MessageType.AUDIT_LOG, requestId, 0, AuditLogCopy.newBuilder().addAllLines(lines).build());
  }
  private Frame frame(MessageType type, String jobId, int round, com.google.protobuf.MessageLite payload) {
    return FrameCodec.frame(type, jobId, round, payload).toBuilder().setSender(config.nodeId()).build();
  }

  private Frame error(String jobId, String code, String message) {
    return FrameCodec.error(jobId, code, message).toBuilder().setSender(config.nodeId()).build();
  }
}
