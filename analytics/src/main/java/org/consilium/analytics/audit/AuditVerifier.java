package org.consilium.analytics.audit;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.consilium.analytics.identity.Participants;

/**
 * Checks audit logs: that the writer's certificate chains to the consortium CA and names the
 * actor, that entries are numbered without gaps, each holds its predecessor's hash, its own
 * hash is right and its signature verifies. Cross-checking a node's log against the
 * coordinator's finds jobs one side records and the other does not, and results whose digests
 * differ.
 */
public final class AuditVerifier {
  private AuditVerifier() {}

  /**
   * A chained log cannot show that entries were cut from its end; a head recorded elsewhere can.
   * Checks that the log reaches minSeq and, when given, that the expected head is an entry of it,
   * unchanged; returns what is wrong, naming the sequence numbers.
   */
  public static List<String> headProblems(List<AuditRecord> entries, long minSeq, AuditHead expected) {
    List<String> out = new java.util.ArrayList<>();
    long last = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).getSeq();
    if (last < minSeq) out.add("the log ends at entry " + last + " but was known to reach " + minSeq + ": entries were removed from its end");
    if (expected != null) {
      var at = entries.stream().filter(r -> r.getSeq() == expected.seq()).findFirst();
      if (at.isEmpty()) out.add("the recorded head, entry " + expected.seq() + ", is missing: entries were removed from the log's end");
      else if (!expected.matches(at.get())) out.add("entry " + expected.seq() + " does not have the recorded hash: the log was rewritten from there");
    }
    return out;
  }

  /** The log's head as "SEQ:HASH" (hex), for recording elsewhere; "0:" for an empty log. */
  public static String head(List<AuditRecord> entries) {
    return entries.isEmpty() ? "0:" : AuditHead.of(entries.get(entries.size() - 1)).toString();
  }

  /** The outcome: the entries read, and every problem found (empty when the log is intact). */
  public record Report(List<AuditRecord> entries, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  public static Report verify(List<String> lines, X509Certificate writer, X509Certificate ca) {
    List<String> problems = new ArrayList<>();
    List<AuditRecord> entries = new ArrayList<>();
    try {
      writer.verify(ca.getPublicKey());
      writer.checkValidity();
    } catch (GeneralSecurityException e) {
      problems.add("the writer's certificate is not valid under the consortium CA: " + e.getMessage());
    }
    String actor = Participants.id(writer);
    byte[] prev = new byte[32];
    long expected = 1;
    int lineNo = 0;
    for (String line : lines) {
      lineNo++;
      if (line.isBlank()) continue;
      AuditRecord r;
      try {
        r = AuditLog.parse(line);
      } catch (IllegalArgumentException e) {
        problems.add("line " + lineNo + ": " + e.getMessage());
        break;
      }
      entries.add(r);
      if (r.getSeq() != expected) problems.add("line " + lineNo + ": entry " + r.getSeq() + " where " + expected + " was expected (deleted or reordered)");
      if (!Arrays.equals(r.getPrevHash().toByteArray(), prev)) problems.add("line " + lineNo + ": does not chain to the previous entry");
      byte[] hash = AuditLog.hashOf(r);
      if (!Arrays.equals(hash, r.getHash().toByteArray())) problems.add("line " + lineNo + ": content does not match its hash (edited)");
      if (!r.getActor().equals(actor)) problems.add("line " + lineNo + ": written as '" + r.getActor() + "', the certificate is '" + actor + "'");
      if (!signatureValid(writer, r)) problems.add("line " + lineNo + ": signature does not verify");
      prev = r.getHash().toByteArray();
      expected = r.getSeq() + 1;
    }
    return new Report(entries, problems);
  }

  private static boolean signatureValid(X509Certificate writer, AuditRecord r) {
    return org.consilium.analytics.identity.Signatures.verify(writer, r.getHash().toByteArray(), r.getSignature().toByteArray());
  }

  static String detail(AuditRecord r, String key) {
    return r.getDetailsList().stream().filter(d -> d.getKey().equals(key)).map(AuditDetail::getValue).findFirst().orElse("");
  }

  /** Every head that holders recorded (detail key) must be an entry of log with that hash. */
  private static List<String> anchors(List<AuditRecord> holders, String key, List<List<AuditRecord>> logs, String logName,
      String holderName) {
    // Several logs (one per coordinator instance) hold entries at the same sequence numbers; a head names one by its hash.
    Map<Long, List<AuditRecord>> bySeq = new HashMap<>();
    for (List<AuditRecord> log : logs) for (AuditRecord r : log) bySeq.computeIfAbsent(r.getSeq(), k -> new ArrayList<>()).add(r);
    List<String> out = new ArrayList<>();
    for (AuditRecord r : holders) {
      String text = detail(r, key);
      if (text.isEmpty()) continue;
      AuditHead head;
      try {
        head = AuditHead.parse(text);
      } catch (IllegalArgumentException e) {
        out.add(holderName + " recorded a malformed head '" + text + "' for job " + r.getJobId());
        continue;
      }
      List<AuditRecord> entries = bySeq.getOrDefault(head.seq(), List.of());
      if (entries.isEmpty()) {
        out.add(logName + " lacks entry " + head.seq() + ", which " + holderName + " recorded as its head for job " + r.getJobId()
            + ": entries were removed from its end");
      } else if (entries.stream().noneMatch(head::matches)) {
        out.add(logName + "'s entry " + head.seq() + " differs from the head " + holderName + " recorded for job " + r.getJobId());
      }
    }
    return out;
  }

  /**
   * Cross-checks a node's (verified) entries against the coordinator's: every job the node
   * accepted was offered to it, and every result the node received has the digest the
   * coordinator released.
   */
  public static List<String> crossCheck(List<AuditRecord> coordinator, List<AuditRecord> node, String nodeId) {
    return crossCheckInstances(List.of(coordinator), node, nodeId);
  }

  /**
   * The same against a highly available coordinator: the (verified) logs of all its instances,
   * which together hold what "the coordinator" did (a job offered by one may be released by another).
   */
  public static List<String> crossCheckInstances(List<List<AuditRecord>> instances, List<AuditRecord> node, String nodeId) {
    List<AuditRecord> coordinator = instances.stream().flatMap(List::stream).toList();
    Set<String> offeredToNode = new HashSet<>();
    Map<String, String> released = new HashMap<>();
    for (AuditRecord r : coordinator) {
      if (r.getEvent().equals("job.offered") && Arrays.asList(detail(r, "participants").split(",")).contains(nodeId)) {
        offeredToNode.add(r.getJobId());
      }
      if (r.getEvent().equals("job.released")) released.put(r.getJobId(), detail(r, "result_sha256"));
    }
    List<String> problems = new ArrayList<>();
    // Anchors: each side recorded the other's head (SEQ:HASH) at offers and decisions; a log cut or
    // rewritten below a head the other side holds no longer has that entry.
    problems.addAll(anchors(node, "coordinator_head", instances, "the coordinator's log", "node " + nodeId));
    problems.addAll(anchors(coordinator.stream().filter(r -> nodeId.equals(detail(r, "node"))).toList(), "node_head", List.of(node),
        "node " + nodeId + "'s log", "the coordinator"));
    // Refusals are on both sides, or neither.
    Set<String> refusedPerCoordinator = new HashSet<>();
    for (AuditRecord r : coordinator) {
      boolean refusal = r.getEvent().equals("job.refused") || r.getEvent().equals("job.late_refusal");
      if (refusal && nodeId.equals(detail(r, "node"))) refusedPerCoordinator.add(r.getJobId());
    }
    Set<String> refusedPerNode = new HashSet<>();
    for (AuditRecord r : node) if (r.getEvent().equals("job.refused")) refusedPerNode.add(r.getJobId());
    for (String job : refusedPerNode) {
      if (!refusedPerCoordinator.contains(job)) {
        problems.add("node " + nodeId + " refused job " + job + ", which the coordinator's log does not record");
      }
    }
    for (String job : refusedPerCoordinator) {
      if (!refusedPerNode.contains(job)) problems.add("the coordinator records a refusal of job " + job + " that node " + nodeId + "'s log does not");
    }
    for (AuditRecord r : node) {
      if (r.getEvent().equals("job.accepted") && !offeredToNode.contains(r.getJobId())) {
        problems.add("node " + nodeId + " accepted job " + r.getJobId() + ", which the coordinator's log never offered it");
      }
      if (r.getEvent().equals("job.released")) {
        String theirs = released.get(r.getJobId());
        if (theirs == null) problems.add("node " + nodeId + " received a result for job " + r.getJobId() + " the coordinator never released");
        else if (!theirs.equals(detail(r, "result_sha256"))) {
          problems.add("job " + r.getJobId() + ": the result node " + nodeId + " received differs from the one the coordinator released");
        }
      }
    }
    return problems;
  }
}
