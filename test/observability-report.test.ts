/**
 * `dctwin report RUN_DIR`: one self-contained HTML page (uPlot inlined, no network: a CSP forbids it), rendered by
 * headless Chromium without console messages; every chart draws, and summary sections are read generically. The
 * screenshot stays in test-output/report.png.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { runCli } from "./support/cli.ts";
import { twoGroupShop } from "./support/observability.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-obs-report-");
after(() => dir.remove());

const CHROMIUM = process.env.DCTWIN_CHROMIUM ?? "chromium";
const SCREENSHOT_DIR = join(import.meta.dirname, "..", "test-output");

const scenario = {
  ...twoGroupShop({ name: "obs-report", durationS: 4, seed: 6, crawlersPerS: 400 }),
  experiment: {
    faults: [{ name: "bots-cut", action: "link-down", selector: { links: ["bots--web"] }, at: "1s", duration: "1s" }],
    checks: [{ name: "drops while cut", threshold: "dropped_packets{link_down} count > 0", during: "bots-cut" }],
  },
};

/** Headless Chromium on a file: the DOM after scripts ran, a screenshot, and its log (console messages included). */
function chromium(
  url: string,
  screenshot: string,
  profile: string,
): Promise<{ code: number | null; dom: string; log: string }> {
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=1280,4200",
    `--screenshot=${screenshot}`,
    "--dump-dom",
    url,
  ];
  const child = spawn(CHROMIUM, args, { stdio: ["ignore", "pipe", "pipe"] });
  let dom = "";
  let log = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (dom += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (log += c));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, dom, log });
    });
  });
}

test("observability report - a self-contained HTML page that renders in headless Chromium without console errors", async () => {
  const file = writeScenario(dir.path, "report", scenario);
  const out = join(dir.path, "run");
  const run = await runCli(["run", file, "--transport", "inproc", "--out", out, "-q"]);
  assert.equal(run.code, 0, run.stderr);
  // A section the summary does not have today: the report shows it without knowing it.
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  summary.future_ledger = {
    entropy_production_kb_per_s: 12.5,
    by_cycle: [
      { cycle: "a→b→a", sigma_kb_per_s: 10 },
      { cycle: "b→c→b", sigma_kb_per_s: 2.5 },
    ],
  };
  writeFileSync(join(out, "summary.json"), JSON.stringify(summary, null, 2));

  const report = await runCli(["report", out]);
  assert.equal(report.code, 0, report.stderr);
  const html = readFileSync(join(out, "report.html"), "utf8");
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|@import|url\(http/i, "nothing loaded from elsewhere");
  assert.match(html, /<summary>future_ledger<\/summary>/);
  assert.match(html, /<th>entropy_production_kb_per_s<\/th><td>12\.5<\/td>/);
  assert.match(html, /<th>cycle<\/th><th>sigma_kb_per_s<\/th>/);
  // No packet_sigma_kb_per_s panel: requests, responses and drops are one-way mechanisms here, so the finite σ is 0
  // in every interval and the report leaves the all-zero column out.
  for (const title of [
    "Throughput",
    "Response time percentiles",
    "Packets dropped",
    "Link traffic",
    "Power",
    "Energy used",
  ])
    assert.ok(html.includes(title), title);
  // The experiment: its faults, check verdicts and the faults in force over time.
  assert.match(
    html,
    /<h3>Faults<\/h3>.*<td class="path">bots-cut<\/td><td class="path">link-down<\/td><td class="path">bots--web<\/td><td class="path">schedule<\/td><td class="path">1 s<\/td><td class="path">2 s<\/td>/s,
  );
  assert.match(
    html,
    /<h3>Steady-state checks<\/h3>.*<td class="path">drops while cut<\/td>.*<td class="path">pass<\/td>/s,
  );
  assert.match(
    html,
    /"id":"active-faults","title":"[^"]*","unit":"faults","x":\[[0-9.,]*\],"series":\[\{"label":"faults","values":\[0,0,1,1,0,0,0,0\]/,
    "in force during [1 s, 2 s): the intervals ending at 1.5 s and 2 s",
  );
  // Where entropy is produced: the figures are drawn from the finite σ (pairs seen both ways).
  for (const title of ["Entropy production by link", "Topology coloured by dissipation"])
    assert.ok(html.includes(`<h3>${title}</h3>`), title);
  // No service-path table: the cycles are those of the pairs seen both ways, and every mechanism here is one-way.
  assert.ok(!html.includes("<h3>Top service paths by dissipation</h3>"), "no cycles without two-way pairs");
  const topology = /<h3>Topology coloured by dissipation<\/h3>.*?<svg[^>]*>(.*?)<\/svg>/s.exec(html)?.[1] ?? "";
  assert.equal((topology.match(/<circle/g) ?? []).length, scenario.actors.length, "one node per actor");
  assert.equal((topology.match(/<line/g) ?? []).length, scenario.links.length, "one line per link");
  // Every mechanism here is one-way (requests, responses, drops): no link has a finite σ, so none is coloured.
  // (A scenario with two-way pairs is needed to test the colouring and the service paths again: not done here.)
  assert.doesNotMatch(topology, /stroke="rgb\(/, "no link dissipates a finite σ");
  // The legend has a band of its own: below every node label.
  const labelYs = [...topology.matchAll(/<text [^>]*y="([\d.]+)" text-anchor="middle">[^<]*<\/text>/g)].map((m) =>
    Number(m[1]),
  );
  const legendY = Number(/<text [^>]*y="([\d.]+)"[^>]*>no link has a finite σ/.exec(topology)?.[1]);
  assert.ok(
    labelYs.length === scenario.actors.length && labelYs.every((y) => y + 10 < legendY),
    `labels at ${labelYs}, legend at ${legendY}`,
  );

  // Kept after the run for people to look at (test-output/ is ignored by git).
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const screenshot = join(SCREENSHOT_DIR, "report.png");
  rmSync(screenshot, { force: true });
  const browser = await chromium(
    pathToFileURL(join(out, "report.html")).href,
    screenshot,
    join(dir.path, "chromium-profile"),
  );
  assert.equal(browser.code, 0, browser.log.slice(-3000));
  const body = /<body([^>]*)>/.exec(browser.dom)?.[1] ?? "";
  assert.match(body, /data-status="ok"/, `page status: ${body}`);
  const charts = Number(/data-charts="(\d+)"/.exec(body)?.[1]);
  assert.ok(charts >= 9, `${charts} charts drawn`);
  assert.equal((browser.dom.match(/<canvas/g) ?? []).length, charts, "one canvas per chart");
  const consoleLines = browser.log.split("\n").filter((l) => l.includes(":CONSOLE"));
  assert.deepEqual(consoleLines, [], "no console message (errors, CSP violations, uncaught exceptions)");
  assert.ok(existsSync(screenshot) && statSync(screenshot).size > 20_000, "a screenshot with content");
  assert.match(browser.dom, />t \(s\)</, "a 4 s run's time axis is in seconds");
});

test("observability report - a simulated day's time axes are in hours", async () => {
  const out = join(dir.path, "day");
  const run = await runCli(["run", "examples/leap-day.yaml", "--transport", "inproc", "--out", out, "-q"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal((await runCli(["report", out])).code, 0);
  const browser = await chromium(
    pathToFileURL(join(out, "report.html")).href,
    join(dir.path, "day.png"),
    join(dir.path, "chromium-profile-day"),
  );
  assert.match(/<body([^>]*)>/.exec(browser.dom)?.[1] ?? "", /data-status="ok"/);
  assert.match(browser.dom, />t \(h\)</);
  assert.doesNotMatch(browser.dom, />t \(s\)</);
});

test("observability report - a directory without summary.json is invalid input", async () => {
  const r = await runCli(["report", join(dir.path, "nothing-here")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no summary\.json/);
});
