package org.consilium.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.consilium.analytics.audit.AuditHead;
import org.consilium.analytics.audit.AuditVerifier;
import org.consilium.analytics.identity.Pem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Verifies audit logs (chain, signatures, certificates) and cross-checks a node's log against the coordinator's. */
@Command(name = "consilium-audit", mixinStandardHelpOptions = true, version = "0.1.0",
    description = "Verifies a Consilium audit log, and optionally cross-checks a node's log with the coordinator's.")
public final class AuditCommand implements Callable<Integer> {
  @Option(names = "--ca", required = true, description = "the consortium CA certificate")
  Path ca;

  @Option(names = "--log", required = true, description = "the audit log to verify")
  Path log;

  @Option(names = "--cert", required = true, description = "the certificate of the log's writer")
  Path cert;

  @Option(names = "--coordinator-log", description = "cross-check against this coordinator log (the log above is a node's); "
      + "repeat it for each instance of a highly available coordinator")
  List<Path> coordinatorLogs;

  @Option(names = "--coordinator-cert", description = "the coordinator's certificate, with --coordinator-log")
  Path coordinatorCert;

  @Option(names = "--min-seq", description = "fail unless the log reaches this entry (a sequence recorded elsewhere earlier)")
  long minSeq;

  @Option(names = "--expect-head", description = "SEQ:HASH recorded elsewhere earlier (printed by an earlier run): that entry must be there, unchanged")
  String expectHead;

  public static void main(String[] args) {
    System.exit(new CommandLine(new AuditCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    var caCert = Pem.certificate(ca);
    var writer = Pem.certificate(cert);
    AuditVerifier.Report report = AuditVerifier.verify(Files.readAllLines(log), writer, caCert);
    report.problems().forEach(p -> System.out.println("PROBLEM " + log + ": " + p));
    int problems = report.problems().size();
    AuditHead expected = null;
    if (expectHead != null) {
      try {
        expected = AuditHead.parse(expectHead);
      } catch (IllegalArgumentException e) {
        System.err.println("consilium-audit: --expect-head must be SEQ:HASH, got '" + expectHead + "'");
        return 2;
      }
    }
    List<String> head = AuditVerifier.headProblems(report.entries(), minSeq, expected);
    head.forEach(p -> System.out.println("PROBLEM " + log + ": " + p));
    problems += head.size();
    if (coordinatorLogs != null && !coordinatorLogs.isEmpty()) {
      if (coordinatorCert == null) {
        System.err.println("consilium-audit: --coordinator-cert is needed with --coordinator-log");
        return 2;
      }
      List<List<org.consilium.analytics.audit.AuditRecord>> instances = new java.util.ArrayList<>();
      for (Path coordinatorLog : coordinatorLogs) {
        AuditVerifier.Report coord = AuditVerifier.verify(Files.readAllLines(coordinatorLog), Pem.certificate(coordinatorCert), caCert);
        coord.problems().forEach(p -> System.out.println("PROBLEM " + coordinatorLog + ": " + p));
        problems += coord.problems().size();
        instances.add(coord.entries());
      }
      List<String> cross = AuditVerifier.crossCheckInstances(instances, report.entries(),
          org.consilium.analytics.identity.Participants.id(writer));
      cross.forEach(p -> System.out.println("MISMATCH " + p));
      problems += cross.size();
    }
    System.out.println(problems == 0 ? "OK: " + report.entries().size() + " entries verified; head " + AuditVerifier.head(report.entries())
        + " (keep it elsewhere and pass it as --expect-head next time: a chained log alone cannot show a cut end)" : problems + " problem(s) found");
    return problems == 0 ? 0 : 1;
  }
}
