package org.consilium.simulations.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.consilium.analytics.identity.Pem;
import org.consilium.simulations.LocalConsortium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's Chromium, headless) against a running four-hospital
 * simulation: an analyst signs in with the keyboard, submits a training job through the form
 * (after the form has refused an invalid one), watches it complete through the server's live
 * updates, opens the fairness report and the model card; an administrator sees the verified
 * audit trail and suspends a node. Screenshots go to target/console-screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  @TempDir
  static Path work;
  static LocalConsortium consortium;
  static ChromeDriver browser;
  static WebDriverWait wait;
  static String console;
  static String jobUrl;

  @BeforeAll
  static void start() throws Exception {
    Chromium.ensureInstalled();
    consortium = LocalConsortium.start(LocalConsortium.Options.defaults(work.resolve("sim")));
    Files.createDirectories(SCREENSHOTS);
    browser = Chromium.start(work.resolve("chromium-profile"),
        Pem.certificate(consortium.kits().coordinatorConfig().getParent().resolve("coordinator.crt")));
    wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    console = consortium.rest().base() + "console/";
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.quit();
    if (consortium != null) consortium.close();
  }

  @Test
  @Order(1)
  void aVisitorWithoutASessionIsSentToTheSignInPageAndAWrongPasswordIsRefused() throws Exception {
    browser.get(consortium.rest().base().toString());
    wait.until(ExpectedConditions.urlContains("#/login"));
    assertFalse(browser.getCurrentUrl().contains("expired"), "a first visit is not told that a session ended");
    assertFalse(browser.findElement(By.id("main")).getText().contains("has ended"), "a first visit is not told that a session ended");
    assertFalse(browser.findElement(By.id("nav")).isDisplayed(), "no navigation before signing in");
    assertFalse(browser.findElement(By.id("logout")).isDisplayed(), "no sign-out button before signing in");
    browser.findElement(By.id("username")).sendKeys("analyst");
    browser.findElement(By.id("password")).sendKeys("not-the-password" + Keys.ENTER);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "wrong user name or password"));
    screenshot("01-sign-in-refused");
    atPhoneWidth("01-sign-in-refused");
  }

  @Test
  @Order(2)
  void anAnalystSignsInWithTheKeyboard() throws Exception {
    browser.navigate().refresh();
    WebElement user = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    assertEquals(user, browser.switchTo().activeElement(), "the sign-in page puts the focus on the user name");
    user.sendKeys("analyst" + Keys.TAB);
    browser.switchTo().activeElement().sendKeys(consortium.kits().consolePassword("analyst") + Keys.ENTER);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("user"), "analyst (analyst)"));
    wait.until(ExpectedConditions.urlContains("#/jobs"));
    assertFalse(browser.findElement(By.cssSelector("[data-role=admin]")).isDisplayed(), "analysts have no audit trail link");

    // Keyboard: from the top of the page, the first Tab reaches the skip link, which leads to the content.
    ((JavascriptExecutor) browser).executeScript(
        "const t = document.createElement('span'); t.tabIndex = -1; document.body.prepend(t); t.focus(); t.remove();");
    new org.openqa.selenium.interactions.Actions(browser).sendKeys(Keys.TAB).perform();
    WebElement skip = browser.switchTo().activeElement();
    assertEquals("Skip to content", skip.getText(), "the first Tab stop is the skip link");
    skip.sendKeys(Keys.ENTER);
    wait.until(d -> "main".equals(d.switchTo().activeElement().getAttribute("id")));
  }

  @Test
  @Order(3)
  void theFormRefusesAnInvalidJobAndNamesTheField() throws Exception {
    go("#/submit");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("kind-train"))).click();
    List<WebElement> sites = browser.findElements(By.cssSelector("input[type=checkbox][id^=node-]"));
    assertEquals(4, sites.size(), "one checkbox per site");
    sites.forEach(c -> assertTrue(c.isSelected(), "every online site takes part by default"));
    assertEquals("3", browser.findElement(By.id("threshold")).getAttribute("value"), "the threshold defaults to what the sites' policies require");
    // Columns are picked from the data dictionary, never typed.
    assertEquals("select", browser.findElement(By.id("target")).getTagName());
    assertTrue(browser.findElement(By.id("numeric")).getText().contains("trestbps (mm Hg)"), "features show their units");
    assertAccessible();
    atPhoneWidth("02a-form");
    WebElement holdout = browser.findElement(By.id("holdout"));
    holdout.clear();
    holdout.sendKeys("0.95");
    browser.findElement(By.id("submit-job")).click();
    WebElement errors = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".errors")));
    assertTrue(errors.getText().contains("Choose at least one feature"), errors.getText());
    assertTrue(errors.getText().contains("held-out share must be from 0 to 0.9"), errors.getText());
    assertEquals("true", holdout.getAttribute("aria-invalid"), "the field is marked invalid for assistive technology");
    assertEquals(errors, browser.switchTo().activeElement(), "the error summary takes the focus");
    assertTrue(browser.getCurrentUrl().endsWith("#/submit"), "nothing was submitted");
    screenshot("02-form-validation");
  }

  @Test
  @Order(4)
  void thePreCheckNamesTheRefusingSiteAndRuleBeforeAnythingIsSent() throws Exception {
    go("#/submit");
    WebElement epsilon = wait.until(ExpectedConditions.elementToBeClickable(By.id("epsilon")));
    epsilon.clear();
    epsilon.sendKeys("9.97");
    WebElement refusals = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("precheck-refusals")));
    wait.until(d -> refusals.getText().contains("cleveland would refuse"));
    assertTrue(refusals.getText().contains("ε 9.97 + 0.05 for its cohort test is more than the 10.00 it has left"),
        "within the budget alone, but not with the cohort test the site also reserves: " + refusals.getText());
    epsilon.clear();
    epsilon.sendKeys("50");
    wait.until(d -> d.findElement(By.id("precheck-refusals")).getText().contains("switzerland would refuse (policy.epsilon_cap)"));
    browser.findElement(By.id("submit-job")).click();
    WebElement errors = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".errors")));
    assertTrue(errors.getText().contains("cleveland would refuse (policy.epsilon_cap): ε 50 + 0.05 for its cohort test is more than the 10.00 it has left"), errors.getText());
    assertTrue(new io.vertx.core.json.JsonArray(consortium.rest().get("api/v1/jobs").body()).isEmpty(), "nothing was sent");
    screenshot("02b-precheck");
  }

  @Test
  @Order(4)
  void aSparseSecAggGraphIsCheckedAgainstEachSitesPublishedPolicyBeforeAnythingIsSent() throws Exception {
    go("#/submit");
    WebElement neighbours = wait.until(ExpectedConditions.elementToBeClickable(By.id("secagg-neighbours")));
    assertEquals("", neighbours.getAttribute("value"), "by default every site masks with every other");
    neighbours.sendKeys("3");
    browser.findElement(By.id("submit-job")).click();
    WebElement errors = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".errors")));
    assertTrue(errors.getText().contains("Neighbours must be an even whole number of at least 2"), errors.getText());
    assertEquals("true", neighbours.getAttribute("aria-invalid"));
    neighbours.clear();
    neighbours.sendKeys("2");
    // The four sites run with the default policy.secagg_min_neighbours = 0: sparse graphs refused.
    WebElement refusals = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("precheck-refusals")));
    wait.until(d -> refusals.getText().contains("cleveland would refuse (policy.secagg_min_neighbours): the job masks with 2 neighbours per site; "
        + "it masks with every other site only"));
    new Select(browser.findElement(By.id("aggregation"))).selectByValue("AGGREGATION_THRESHOLD_PAILLIER");
    wait.until(d -> !d.findElement(By.id("secagg-neighbours")).isEnabled());
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("precheck-ok")));
    assertTrue(new io.vertx.core.json.JsonArray(consortium.rest().get("api/v1/jobs").body()).isEmpty(), "nothing was sent");
  }

  @Test
  @Order(5)
  void anAnalystSubmitsATrainingJobAndWatchesItCompleteLive() throws Exception {
    go("#/submit");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("kind-train"))).click();
    new Select(browser.findElement(By.id("target"))).selectByValue("num");
    for (String f : List.of("age", "sex", "cp", "trestbps", "thalach", "exang", "oldpeak")) browser.findElement(By.id("numeric-" + f)).click();
    browser.findElement(By.id("sensitive-sex")).click();
    new Select(browser.findElement(By.id("mitigation"))).selectByValue("THRESHOLD_EQUALIZED_ODDS");
    browser.findElement(By.id("title")).sendKeys("Heart disease (console test)");
    browser.findElement(By.id("intended-use")).sendKeys("Testing the console.");
    browser.findElement(By.id("submit-job")).click();
    wait.until(ExpectedConditions.urlMatches("#/jobs/job-[0-9a-f-]+$"));
    jobUrl = browser.getCurrentUrl();
    // A marker that a reload would erase: the page must change through the server's pushed events.
    ((JavascriptExecutor) browser).executeScript("window.consiliumMarker = 42;");
    screenshot("03-job-running");
    new WebDriverWait(browser, Duration.ofMinutes(3)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-status"), "RELEASED"));
    assertEquals(42L, ((JavascriptExecutor) browser).executeScript("return window.consiliumMarker;"),
        "the job page updated without a reload (server-sent events)");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("auc")));
    String page = browser.findElement(By.id("main")).getText();
    assertTrue(page.contains("Coefficients") && page.contains("Odds ratio"), "the model's coefficients and odds ratios are shown");
    assertTrue(page.contains("Aggregation rounds: who took part"), "participants per round are shown");
    assertTrue(page.contains("distributed Skellam"), "the privacy spent is shown");
    assertChartDrawn("ROC curve");
    assertChartDrawn("Calibration plot");
    // The form's default is a DP job: no loss is released per round, so the curve is the noisy gradient's norm.
    assertChartDrawn("Gradient norm by round");
    assertTrue(page.contains("AUC [95% interval]") && page.contains("Accuracy [95% interval]"),
        "DP evaluation figures carry their intervals: " + page);
    assertAccessible();
    screenshot("04-job-released");
    atPhoneWidth("04b-job-released");
  }

  @Test
  @Order(6)
  void theFairnessReportShowsChartsAndTheMetricTable() throws Exception {
    browser.findElement(By.linkText("Fairness report")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Fairness report"));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("table")));
    String text = browser.findElement(By.id("main")).getText();
    assertTrue(text.contains("Demographic parity difference"), text);
    assertTrue(text.contains("overall"), "the overall row is in the table");
    assertTrue(text.contains("After mitigation"), "the mitigation's effect is shown");
    assertTrue(text.contains("Decision rule per group (randomised"), "ThresholdOptimizer's randomised rules are shown: " + text);
    // The default reference is the largest group by the released (noisy) rows of the report before mitigation.
    Map<String, Long> rows = groupRowsBefore(text);
    Matcher audit = Pattern.compile("bias audit \\(Aequitas\\), disparity to reference group (sex=\\w+)").matcher(text);
    assertTrue(audit.find() && text.contains("False discovery rate"), "the bias audit is shown: " + text);
    assertEquals(Collections.max(rows.values()), rows.get(audit.group(1)),
        "the bias audit's default reference is the largest group of " + rows + ": " + text);
    assertChartDrawn("Bar chart of selection rate");
    assertTrue(text.contains("sex=female") && text.contains("sex=male"), "groups carry the dictionary's labels");
    screenshot("05-fairness");
    atPhoneWidth("05b-fairness");
  }

  @Test
  @Order(7)
  void theModelCardPageShowsEverySection() throws Exception {
    browser.get(jobUrl);
    wait.until(ExpectedConditions.elementToBeClickable(By.linkText("Model card"))).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Model card"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "Ethical considerations"));
    String text = browser.findElement(By.id("main")).getText();
    for (String section : List.of("Model details", "Intended use", "Testing the console.", "Quantitative analyses", "Privacy", "Caveats")) {
      assertTrue(text.contains(section), "the model card shows '" + section + "'");
    }
    screenshot("06-model-card");
    atPhoneWidth("06b-model-card");
  }

  @Test
  @Order(8)
  void theConsortiumPageShowsNodesAndRemainingBudgets() throws Exception {
    browser.findElement(By.linkText("Consortium")).click();
    wait.until(ExpectedConditions.numberOfElementsToBe(By.xpath("(//table)[1]/tbody/tr"), 4));
    String text = browser.findElement(By.id("main")).getText();
    for (String node : List.of("cleveland", "hungarian", "switzerland", "va-long-beach")) assertTrue(text.contains(node), node);
    assertEquals(4, browser.findElements(By.xpath("//span[normalize-space()='Online']")).size(), "every node is online");
    assertTrue(text.contains("heart-disease: 1.05 spent, 8.95 of 10.00 left"), "each node spent ε = 1 on the job and 0.05 on its noisy cohort test: " + text);
    assertTrue(browser.findElements(By.xpath("//button[starts-with(normalize-space(), 'Suspend')]")).isEmpty(), "analysts cannot suspend nodes");
    assertTrue(text.contains("version 0.1.0") && text.contains("certificate expires"), "software version and certificate expiry: " + text);
    browser.findElement(By.cssSelector("#ledger-cleveland summary")).click();
    String ledger = browser.findElement(By.id("ledger-cleveland")).getText();
    assertTrue(ledger.contains("RESERVE") && ledger.contains("heart-disease"), "cleveland's ledger history: " + ledger);
    assertAccessible();
    screenshot("07-consortium");
    atPhoneWidth("07c-consortium");
  }

  @Test
  @Order(10)
  void statisticsAndDatasheetResultsHaveTheirPages() throws Exception {
    // (also: exports of what a page shows, checked through the console's own module)
    String stats = submitAndWait(org.consilium.simulations.DefaultJob.spec("0.5"));
    String sheet = submitAndWait("""
        {"specVersion": 1, "dataset": "heart-disease", "privacy": {"epsilon": 0.5},
         "datasheet": {"columns": ["chol", "ca"], "labelColumn": "num", "labelAbove": 0,
                       "group": {"column": "sex", "values": ["0", "1"]},
                       "distributions": [{"column": "age", "edges": [20, 40, 60, 80]}]}}""");
    browser.get(console + "#/jobs/" + stats);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "Statistics of age by group"));
    assertChartDrawn("Histogram of num");
    // DP shown as DP: dictionary labels for the groups, every value with its 95% interval, nothing negative.
    String statsText = browser.findElement(By.id("main")).getText();
    assertTrue(statsText.contains("Count [95% interval]") && statsText.contains("Mean [95% interval]"), "interval columns: " + statsText);
    assertTrue(statsText.contains("female") && statsText.contains("male"), "groups carry the dictionary's labels: " + statsText);
    assertTrue(statsText.contains("holds the true value with 95% probability"), "a plain-language note on the noise: " + statsText);
    for (WebElement cell : browser.findElements(By.cssSelector("td"))) {
      assertTrue(!cell.getText().matches(".*(^|[\\s\\[])-\\d.*"), "no negative count, bin or bound in the table: '" + cell.getText() + "'");
    }
    screenshot("07a-statistics");
    atPhoneWidth("07a-statistics");
    Object csv = ((JavascriptExecutor) browser).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "Promise.all([import('/console/workbench.js'), fetch('/api/v1/jobs/' + arguments[0]).then(r => r.json())])"
            + ".then(([m, job]) => done(m.statisticsCsv(job.result.statistics))).catch(e => done('error ' + e));", stats);
    String[] lines = csv.toString().split("\n");
    assertTrue(lines[0].startsWith("group,label,count,count_low,count_high,mean,mean_low,mean_high"), "CSV export header: " + lines[0]);
    assertEquals(3, lines.length, "a header and one line per group: " + csv);
    assertTrue(lines[1].startsWith("0,female,"), lines[1]);
    browser.get(console + "#/datasets");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "Columns of heart-disease"));
    String catalog = browser.findElement(By.id("main")).getText();
    assertTrue(catalog.contains("0 = female; 1 = male") && catalog.contains("mm Hg") && catalog.contains("[80, 200]"),
        "the catalog shows the dictionary's codes, units and bounds: " + catalog);
    assertAccessible();
    screenshot("07d-datasets");
    atPhoneWidth("07d-datasets");
    browser.get(console + "#/jobs/" + sheet + "/datasheet");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "Composition"));
    String text = browser.findElement(By.id("main")).getText();
    assertTrue(text.contains("Motivation") && text.contains("patients referred for angiography (cleveland)"), "each site's own answers: " + text);
    assertTrue(text.contains("missing chol") && text.contains("cleveland: distribution of age"), "composition per site: " + text);
    assertTrue(text.contains("with 95% probability each is within"), "the datasheet states its counts' margins: " + text);
    screenshot("07b-datasheet");
    atPhoneWidth("07b-datasheet");

    browser.get(console + "#/jobs");
    new org.openqa.selenium.support.ui.Select(wait.until(ExpectedConditions.elementToBeClickable(By.id("filter-computation"))))
        .selectByVisibleText("train");
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tbody tr"), 1));
    assertTrue(browser.findElement(By.cssSelector("tbody tr")).getText().contains("Heart disease (console test)"),
        "filtering by kind leaves the one training job");
    screenshot("07c-jobs-filtered");
    atPhoneWidth("07c-jobs-filtered");
  }

  @Test
  @Order(11)
  void aRefusalSentThroughTheApiIsShownOnceNamingThePolicy() throws Exception {
    String id = consortium.submit(org.consilium.simulations.DefaultJob.spec("50"));
    assertEquals("REFUSED", consortium.awaitJob(id, Duration.ofMinutes(1)).getString("status"));
    browser.get(console + "#/jobs/" + id);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-status"), "REFUSED"));
    String text = browser.findElement(By.id("main")).getText();
    assertTrue(text.contains("Refused by policy") && text.contains("policy.epsilon_cap"), "the refusal names the policy: " + text);
    assertFalse(text.contains(".csv"), "no site's file name is shown: " + text);
    screenshot("10-job-refused");
    atPhoneWidth("10-job-refused");
  }

  @Test
  @Order(12)
  void twoModelsAreComparedSideBySide() throws Exception {
    String second = submitAndWait(org.consilium.simulations.DefaultJob.dpTrainSpec("1.0", "[\"cleveland\", \"switzerland\", \"va-long-beach\"]"));
    browser.get(console + "#/jobs?computation=train");
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("input[id^=pick-]"), 2));
    browser.findElements(By.cssSelector("input[id^=pick-]")).forEach(WebElement::click);
    wait.until(ExpectedConditions.attributeToBe(By.id("compare-selected"), "aria-disabled", "false"));
    browser.findElement(By.id("compare-selected")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Compare models"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "Coefficients"));
    String text = browser.findElement(By.id("main")).getText();
    assertTrue(text.contains("Heart disease (console test)") && text.contains(second.replace("job-", "").substring(0, 8)), "both models: " + text);
    assertTrue(text.contains("AUC [95% interval]") && text.contains("Demographic parity difference"), text);
    assertChartDrawn("ROC curves of both models");
    assertChartDrawn("Calibration of both models");
    assertAccessible();
    screenshot("11-compare");
    atPhoneWidth("11b-compare");
  }

  @Test
  @Order(14)
  void theModelRegistryAndADriftMonitorStartedFromItsBudgetPlanHaveTheirPages() throws Exception {
    go("#/models");
    wait.until(ExpectedConditions.elementToBeClickable(By.linkText("heart-disease-console-test"))).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Model heart-disease-console-test"));
    String model = browser.findElement(By.id("main")).getText();
    assertTrue(model.contains("Versions of heart-disease-console-test") && model.contains("candidate") && model.contains("Retrain v1"), model);
    assertAccessible();
    screenshot("12-model");
    browser.findElement(By.linkText("drift")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Drift of heart-disease-console-test v1"));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("drift-no-baseline")));
    for (String[] f : new String[][] {{"monitor-every", "1"}, {"monitor-runs", "1"}, {"monitor-epsilon", "1"}}) {
      browser.findElement(By.id(f[0])).clear();
      browser.findElement(By.id(f[0])).sendKeys(f[1]);
    }
    // Age only: one feature carries a seventh of the noise the seven would.
    for (String f : List.of("sex", "cp", "trestbps", "thalach", "exang", "oldpeak")) browser.findElement(By.id("monitor-feature-" + f)).click();
    browser.findElement(By.id("monitor-plan")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("monitor-plan-view"), "Budget plan per site"));
    String plan = browser.findElement(By.id("monitor-plan-view")).getText();
    assertTrue(plan.contains("1 run and a baseline") && plan.contains("each site measured on its own") && plan.contains("measuring age and the score"),
        "the plan says what runs: " + plan);
    assertAccessible();
    screenshot("13-drift-plan");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("monitor-accept"))).click();
    // The baseline and one measurement run as jobs; the page shows the report once they are in.
    new WebDriverWait(browser, Duration.ofMinutes(2)).pollingEvery(Duration.ofSeconds(2)).until(d -> {
      go("#/models/heart-disease-console-test/1/drift");
      return new WebDriverWait(d, Duration.ofSeconds(5)).until(ExpectedConditions.presenceOfElementLocated(By.tagName("h1"))) != null
          && !d.findElements(By.id("drift-report")).isEmpty();
    });
    String drift = browser.findElement(By.id("main")).getText();
    assertTrue(drift.contains("Baseline: job") && drift.contains("every site still held its training data"), drift);
    assertTrue(drift.contains("Drift per site and feature") && drift.contains("Noise floor"), drift);
    assertChartDrawn("PSI per site and feature");
    assertAccessible();
    screenshot("14-drift");
    atPhoneWidth("14b-drift");
    go("#/models");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "Drift monitors, newest first"));
  }

  /** A DP EBM's page: each shape with its 95% band, and a record taken apart into its terms by the explain form. */
  @Test
  @Order(15)
  void anEbmShowsItsShapesWithBandsAndExplainsAPrediction() throws Exception {
    String id = submitAndWait(org.consilium.simulations.DefaultJob.dpTrainSpec("0.5", "[\"cleveland\", \"switzerland\", \"va-long-beach\"]")
        .replace("\"model\": \"LOGISTIC\"", "\"model\": \"EBM\", \"ebm\": {\"cycles\": 2}"));
    go("#/jobs/" + id);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "Explain a prediction"));
    String text = browser.findElement(By.id("main")).getText();
    assertTrue(text.contains("Shape functions") && text.contains("Differentially private") && text.contains("95% band"), text);
    assertChartDrawn("Shape function of age: the term added to the log odds per bin, with 95% bands");
    WebElement age = browser.findElement(By.id("explain-age"));
    age.clear();
    age.sendKeys("67");
    browser.findElement(By.cssSelector("#explain-form button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("explained-score"), "Predicted probability"));
    List<WebElement> rows = browser.findElements(By.cssSelector("#explanation tbody tr"));
    assertEquals(7, rows.size(), "one contribution per feature of the model");
    assertChartDrawn("Contributions of each term to this prediction");
    assertAccessible();
    screenshot("15-ebm");
    atPhoneWidth("15b-ebm");
  }

  @Test
  @Order(13)
  void aRunningJobIsCancelledByItsSubmitterAndAJobIsClonedIntoTheForm() throws Exception {
    // A long DP job (100 rounds) submitted through the API as the analyst, who then cancels it in the console.
    RestClientHolder.analyst();
    String spec = org.consilium.simulations.DefaultJob.dpTrainSpec("0.5", "[\"cleveland\", \"switzerland\", \"va-long-beach\"]")
        .replace("\"holdoutFraction\": 0.25,", "\"holdoutFraction\": 0.25, \"maxRounds\": 100,");
    String id = new io.vertx.core.json.JsonObject(RestClientHolder.analyst.post("api/v1/jobs", spec).body()).getString("id");
    browser.get(console + "#/jobs/" + id);
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("cancel-job")));
    // The actions are re-rendered as the job's pushed updates arrive: click the current button.
    ((JavascriptExecutor) browser).executeScript("document.getElementById('cancel-job').click();");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-status"), "CANCELLED"));
    assertTrue(browser.findElement(By.id("live")).getText().contains("Cancelled by analyst"), browser.findElement(By.id("live")).getText());
    screenshot("12-cancelled");
    atPhoneWidth("12-cancelled");
    browser.findElement(By.id("clone-job")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "New job (a copy of"));
    assertTrue(browser.findElement(By.id("kind-train")).isSelected(), "the copy is a training job");
    assertTrue(browser.findElement(By.id("numeric-thalach")).isSelected(), "with the same features");
    assertEquals("0.5", browser.findElement(By.id("epsilon")).getAttribute("value"));
    assertFalse(browser.findElement(By.id("node-hungarian")).isSelected(), "and the same sites");
    screenshot("13-cloned");
    atPhoneWidth("13-cloned");
  }

  private static String submitAndWait(String spec) {
    String id = consortium.submit(spec);
    assertEquals("RELEASED", consortium.awaitJob(id, Duration.ofMinutes(2)).getString("status"), "job " + id);
    return id;
  }

  @Test
  @Order(9)
  void anAnalystCannotOpenTheAuditTrail() {
    browser.get(console + "#/audit");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "Only administrators see the audit trail."));
  }

  @Test
  @Order(20)
  void anAdministratorSeesTheVerifiedAuditTrailAndSuspendsANode() throws Exception {
    browser.findElement(By.id("logout")).click();
    wait.until(ExpectedConditions.urlContains("#/login"));
    browser.findElement(By.id("username")).sendKeys("admin");
    browser.findElement(By.id("password")).sendKeys(consortium.kits().consolePassword("admin") + Keys.ENTER);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("user"), "admin (admin)"));
    browser.findElement(By.linkText("Audit trail")).click();
    WebElement status = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("audit-status")));
    assertTrue(status.getText().startsWith("Verified"), status.getText());
    WebElement event = browser.findElement(By.id("audit-event"));
    event.sendKeys("job.offered");
    browser.findElement(By.xpath("//button[normalize-space()='Show']")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "submitted_by=analyst"));
    event.clear();
    event.sendKeys("console.");
    browser.findElement(By.xpath("//button[normalize-space()='Show']")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "console.login"));
    String text = browser.findElement(By.id("main")).getText();
    assertFalse(text.contains(consortium.kits().consolePassword("admin")), "no password in the audit trail");
    screenshot("08-audit-trail");
    atPhoneWidth("08c-audit-trail");
    event.clear();
    event.sendKeys("job.released");
    browser.findElement(By.xpath("//button[normalize-space()='Show']")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "matching"));
    List<WebElement> events = browser.findElements(By.xpath("//tbody/tr/td[2]"));
    assertFalse(events.isEmpty(), "released jobs are in the trail");
    events.forEach(e -> assertEquals("job.released", e.getText(), "the event filter keeps one kind of entry"));
    assertTrue(browser.findElement(By.id("audit-export-csv")).isDisplayed() && browser.findElement(By.id("audit-newer")).isDisplayed(),
        "the trail pages and exports");
    event.clear();
    new Select(browser.findElement(By.id("audit-participant"))).selectByVisibleText("cleveland");
    browser.findElement(By.xpath("//button[normalize-space()='Show']")).click();
    WebElement cross = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("audit-crosscheck")));
    assertTrue(cross.getText().startsWith("Consistent with the coordinator"), cross.getText());
    assertTrue(browser.findElement(By.id("audit-status")).getText().contains("cleveland's log"), "cleveland's own log is shown");
    screenshot("08b-node-audit-trail");

    browser.findElement(By.linkText("Consortium")).click();
    wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("button[data-node=hungarian]"))).click();
    wait.until(ExpectedConditions.numberOfElementsToBe(By.xpath("//span[normalize-space()='Suspended']"), 1));
    screenshot("09-node-suspended");
    browser.findElement(By.cssSelector("button[data-node=hungarian]")).click();
    wait.until(ExpectedConditions.numberOfElementsToBe(By.xpath("//span[normalize-space()='Suspended']"), 0));
  }

  @Test
  @Order(30)
  void withOneSiteOfflineTheDefaultFormStillSubmitsAJobThatRuns() throws Exception {
    consortium.kill("va-long-beach");
    LocalConsortium.waitFor(Duration.ofSeconds(30), "the registry to show va-long-beach offline",
        () -> !consortium.onlineNodes().contains("va-long-beach"));
    go("#/submit");
    WebElement offline = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("node-va-long-beach")));
    assertFalse(offline.isEnabled() || offline.isSelected(), "an offline site cannot be chosen");
    assertEquals("3", browser.findElement(By.id("threshold")).getAttribute("value"), "three sites, each asking for jobs of at least three");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("precheck-ok")));
    browser.findElement(By.id("submit-job")).click();
    wait.until(ExpectedConditions.urlMatches("#/jobs/job-[0-9a-f-]+$"));
    new WebDriverWait(browser, Duration.ofMinutes(1)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-status"), "RELEASED"));
    assertTrue(browser.findElement(By.id("main")).getText().contains("cleveland, hungarian, switzerland (threshold 3)"));
    screenshot("14-one-site-offline");
    atPhoneWidth("14-one-site-offline");
  }

  /** Holds a signed-in analyst's API client for the API calls a scenario makes as that analyst. */
  private static final class RestClientHolder {
    static org.consilium.simulations.RestClient analyst;

    static void analyst() {
      if (analyst == null) analyst = consortium.rest().signIn("analyst", consortium.kits().consolePassword("analyst"));
    }
  }

  /** Opens a console page, loading it afresh even when the browser is already there (a same-hash get does not). */
  private static void go(String hash) {
    if (browser.getCurrentUrl().endsWith(hash)) browser.navigate().refresh();
    else browser.get(console + hash);
  }

  /** The current page on a 375 px phone: nothing wider than the screen, still accessible, and a screenshot. */
  private static void atPhoneWidth(String name) throws Exception {
    browser.manage().window().setSize(new Dimension(375, 800));
    try {
      Thread.sleep(300); // let charts and layout settle at the new width
      Number width = (Number) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth;");
      assertTrue(width.intValue() <= 376, name + ": the page is " + width + " px wide on a 375 px screen");
      assertAccessible();
      Number height = (Number) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight;");
      browser.manage().window().setSize(new Dimension(375, Math.max(800, Math.min(8000, height.intValue() + 20))));
      Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, SCREENSHOTS.resolve(name + "-375.png"), StandardCopyOption.REPLACE_EXISTING);
    } finally {
      browser.manage().window().setSize(new Dimension(1366, 900));
    }
  }

  private static void assertChartDrawn(String labelPrefix) {
    Object drawn = ((JavascriptExecutor) browser).executeScript(
        "const c = [...document.querySelectorAll('canvas')].find(x => (x.getAttribute('aria-label') || '').startsWith(arguments[0]));"
            + "return !!(c && window.Chart && window.Chart.getChart(c));", labelPrefix);
    assertEquals(Boolean.TRUE, drawn, "a Chart.js chart labelled '" + labelPrefix + "...' is drawn");
  }

  /**
   * Every visible form control has a label, every chart a text alternative, and the text of
   * links, buttons, headings, cells and paragraphs has a contrast of at least 4.5:1 (WCAG AA).
   */
  @SuppressWarnings("unchecked")
  private static void assertAccessible() {
    List<String> problems = (List<String>) ((JavascriptExecutor) browser).executeScript("""
        const out = [];
        const visible = el => el.offsetParent !== null;
        for (const el of document.querySelectorAll('input, select, textarea')) {
          if (visible(el) && el.labels.length === 0 && !el.getAttribute('aria-label')) out.push('no label: ' + (el.id || el.outerHTML));
        }
        for (const c of document.querySelectorAll('canvas')) if (!c.getAttribute('aria-label')) out.push('chart without a text alternative');
        const rgb = s => s.match(/[\\d.]+/g).map(Number);
        const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
        const background = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
          if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
        for (const el of document.querySelectorAll('a, button, h1, h2, th, td, p, label, dt, dd, .badge')) {
          if (!visible(el) || !el.textContent.trim()) continue;
          const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
          const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
          if (ratio < 4.5) out.push('contrast ' + ratio.toFixed(2) + ' for ' + el.tagName + ' "' + el.textContent.trim().slice(0, 30) + '"');
        }
        return out;""");
    assertTrue(problems.isEmpty(), "accessibility problems: " + problems);
  }

  /** The whole page: the window grows to the page's height for the shot, then returns to a laptop's size. */
  private static void screenshot(String name) throws Exception {
    // Whatever the page, no value leaks into it unrendered.
    for (String line : browser.findElement(By.id("main")).getText().split("\n")) {
      String l = line.strip();
      assertFalse(l.equals("null") || l.equals("undefined") || l.contains("[object ") || l.contains("NaN"),
          name + ": the page shows a raw value: '" + l + "'");
    }
    Number height = (Number) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight;");
    browser.manage().window().setSize(new Dimension(1366, Math.max(900, Math.min(8000, height.intValue() + 20))));
    Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    browser.manage().window().setSize(new Dimension(1366, 900));
  }

  /** Each group's rows in the first per-group table ("sex=female 152 ..."). */
  private static Map<String, Long> groupRowsBefore(String text) {
    Matcher rows = Pattern.compile("(?m)^(sex=\\w+) (\\d+) ").matcher(text);
    Map<String, Long> first = new LinkedHashMap<>();
    while (rows.find()) first.putIfAbsent(rows.group(1), Long.parseLong(rows.group(2)));
    assertEquals(2, first.size(), "both groups have a row in the report: " + text);
    return first;
  }
}
