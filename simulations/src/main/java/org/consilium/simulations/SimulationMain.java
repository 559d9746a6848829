package org.consilium.simulations;

import com.google.protobuf.util.JsonFormat;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.consilium.analytics.wire.JobResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * README command 1: provisions a fresh four-hospital consortium, starts the coordinator and one
 * node process per hospital on loopback, runs a DP statistics job, prints the released result
 * beside the exact pooled value, and keeps the consortium up until interrupted (or exits with
 * --exit). With --drift it then runs the drift scenario ({@link DriftScenario}).
 */
@Command(name = "consilium-simulate", mixinStandardHelpOptions = true, version = "0.1.0",
    description = "Runs the default four-hospital Consilium simulation on this machine.")
public final class SimulationMain implements Callable<Integer> {
  @Option(names = "--work", description = "folder for the consortium, data and logs (default: a new temporary folder)")
  Path work;

  @Option(names = "--epsilon", defaultValue = "1.0", description = "privacy budget of the job (default: ${DEFAULT-VALUE})")
  String epsilon;

  @Option(names = "--exit", description = "exit after the job instead of keeping the consortium up")
  boolean exit;

  @Option(names = "--coordinators", defaultValue = "1",
      description = "coordinator instances forming one highly available cluster (default: ${DEFAULT-VALUE}); "
          + "kill one and its jobs continue on another")
  int coordinators;

  @Option(names = "--drift", description = "also run the drift scenario: monitor the default model, shift "
      + DriftScenario.SHIFTED_SITE + "'s ages by 10 years, and see the monitor name the site and feature")
  boolean drift;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SimulationMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = work != null ? work : Files.createTempDirectory("consilium-sim-");
    System.out.println("Provisioning a four-hospital consortium in " + dir + " ...");
    if (coordinators < 1) {
      System.err.println("consilium-simulate: --coordinators must be at least 1, got " + coordinators);
      return 2;
    }
    LocalConsortium.Options options = drift ? DriftScenario.options(dir) : LocalConsortium.Options.defaults(dir);
    try (LocalConsortium c = LocalConsortium.start(options, coordinators)) {
      System.out.println((coordinators == 1 ? "Coordinator" : coordinators + " coordinator instances (one cluster)") + " and nodes "
          + c.nodeIds() + " are up (mutually authenticated TLS on loopback).");
      String spec = DefaultJob.spec(epsilon);
      String id = c.submit(spec);
      System.out.println("Submitted job " + id + ": mean age and diagnosis by sex, epsilon " + epsilon);
      JsonObject job = c.awaitJob(id, Duration.ofMinutes(2));
      if (!"RELEASED".equals(job.getString("status"))) {
        System.err.println("job " + id + " " + job.getString("status") + ": " + job.getString("error"));
        return 1;
      }
      JobResult.Builder result = JobResult.newBuilder();
      JsonFormat.parser().merge(job.getJsonObject("result").encode(), result);
      System.out.println();
      System.out.print(DefaultJob.table(result.build(), DefaultJob.pooledExact(spec, c.datasets())));
      System.out.println();
      if (drift) {
        System.out.println("Drift scenario:");
        var alerts = new DriftScenario(c, System.out).run();
        boolean named = alerts.stream().map(JsonObject.class::cast).anyMatch(a -> DriftScenario.SHIFTED_SITE.equals(a.getString("site"))
            && DriftScenario.SHIFTED_FEATURE.equals(a.getString("feature")));
        System.out.println(named ? "The monitor named the shifted site and feature." : "The monitor did NOT name the shifted site and feature.");
        System.out.println();
        if (!named) return 1;
      }
      if (exit) return 0;
      for (int i = 1; i < c.coordinatorCount(); i++) {
        System.out.println("Coordinator instance " + (i + 1) + ": " + c.rest(i).base() + "console/ (pid " + c.coordinatorPid(i)
            + "; the same jobs, users and sessions)");
      }
      System.out.println("Console: " + c.rest().base() + "console/  (the certificate is the consortium's own: "
          + c.kits().caCertificate() + "; your browser will ask you to trust it)");
      System.out.println("  sign-ins for 'admin' and 'analyst' are in " + c.kits().consoleCredentials());
      System.out.println("REST API: " + c.rest().base() + "api/v1 (described by " + c.rest().base() + "api/v1/openapi.yaml)");
      System.out.println("  API token for scripts (Bearer): " + c.kits().coordinatorConfig().getParent().resolve("admin-credential"));
      System.out.println("Logs: " + dir.resolve("logs") + ". Press Ctrl-C to stop.");
      CountDownLatch forever = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        c.close();
        forever.countDown();
      }));
      forever.await();
      return 0;
    }
  }
}
