package org.consilium.simulations.console;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium driven headless through its ChromeDriver. The project's own script
 * (scripts/install-browser) installs both from the Debian archive when they are missing; on a
 * machine without apt the browser tests are skipped and say why. The browser trusts exactly the
 * coordinator's key (by its SPKI hash), as an operator who imported the consortium CA would.
 */
final class Chromium {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private Chromium() {}

  static void ensureInstalled() throws IOException, InterruptedException {
    if (Files.isExecutable(BINARY) && Files.isExecutable(DRIVER)) return;
    Path script = projectRoot().resolve("scripts/install-browser");
    Process p = new ProcessBuilder(script.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(10, TimeUnit.MINUTES)) throw new IllegalStateException("scripts/install-browser did not finish in 10 minutes");
    Assumptions.assumeTrue(p.exitValue() != 3, "no apt-get here to install chromium; browser tests skipped: " + out);
    if (p.exitValue() != 0) throw new IllegalStateException("scripts/install-browser failed (" + p.exitValue() + "): " + out);
  }

  static ChromeDriver start(Path userDataDir, X509Certificate serverCertificate) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--user-data-dir=" + userDataDir, "--window-size=1366,900", "--lang=en-GB",
        "--ignore-certificate-errors-spki-list=" + spkiHash(serverCertificate));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort()
        .withLogFile(userDataDir.resolveSibling("chromedriver.log").toFile()).build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return driver;
  }

  private static String spkiHash(X509Certificate cert) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path projectRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("scripts/install-browser"))) p = p.getParent();
    if (p == null) throw new IllegalStateException("cannot find scripts/install-browser above " + new File("").getAbsolutePath());
    return p;
  }
}
