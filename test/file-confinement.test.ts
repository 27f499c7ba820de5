/**
 * Files a scenario names are confined to its folder (or folders allowed with --allow-outside): absolute paths,
 * `../` and symbolic links out are refused with the field path, device files and directories are refused, and no
 * error repeats a file's content. The output directory is checked before a run: a file, an empty path or a place
 * that cannot be written exits 2 at once, and nothing runs.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const SECRET = "TOP-SECRET-LINE-42";
const outside = join(dir.path, "outside");
const inside = join(dir.path, "scenario");
mkdirSync(outside);
mkdirSync(join(inside, "traces"), { recursive: true });
writeFileSync(join(outside, "secret.csv"), `time,type\n${SECRET},x\n`);
writeFileSync(join(inside, "traces", "ok.csv"), "time,type\n0.001,get\n0.002,get\n");
writeFileSync(join(inside, "traces", "leak.csv"), `time,type\n${SECRET},get\n`);
symlinkSync(join(outside, "secret.csv"), join(inside, "traces", "link.csv"));

function scenarioWithTrace(name: string, file: string): string {
  return writeScenario(inside, name, {
    run: { duration: "1s" },
    actors: [
      { id: "replay", kind: "client", target: "web", arrivals: { process: "trace", file } },
      { id: "web", kind: "server", service: { distribution: "deterministic", value: "1ms" } },
    ],
    links: [{ a: "replay", b: "web", latency: "10us" }],
  });
}

async function validate(file: string, ...args: string[]) {
  return runCli(["validate", file, ...args], { timeoutMs: 30_000 });
}

test("confinement - trace files inside the scenario's folder load; paths leading out are refused without echoing content", async () => {
  const ok = await validate(scenarioWithTrace("ok", "traces/ok.csv"));
  assert.equal(ok.code, 0, ok.stderr);

  const cases: [string, RegExp][] = [
    [join(outside, "secret.csv"), /outside the scenario's folder/],
    ["../outside/secret.csv", /outside the scenario's folder/],
    ["traces/link.csv", /outside the scenario's folder/],
    ["/etc/passwd", /outside the scenario's folder/],
    ["/dev/zero", /outside the scenario's folder|not a regular file/],
    ["traces", /not a regular file/],
    ["traces/missing.csv", /cannot read "traces\/missing.csv" \(ENOENT\)/],
    ["traces/leak.csv", /line 2: time: expected a non-negative duration/],
  ];
  for (const [i, [path, message]] of cases.entries()) {
    const result = await validate(scenarioWithTrace(`case-${i}`, path));
    assert.equal(result.code, 2, `${path}: ${result.stderr}`);
    assert.match(result.stderr, /actors\[0\]\.arrivals\.file: /, path);
    assert.match(result.stderr, message, path);
    assert.ok(
      !result.stderr.includes(SECRET) && !result.stderr.includes("root:"),
      `${path}: no file content in the error:\n${result.stderr}`,
    );
  }

  const allowed = await validate(scenarioWithTrace("allowed", join(outside, "secret.csv")), "--allow-outside", outside);
  assert.equal(allowed.code, 2, "allowed, so it is read, and its bad time is reported without its content");
  assert.match(allowed.stderr, /line 2: time/);
  assert.ok(!allowed.stderr.includes(SECRET));
  writeFileSync(join(outside, "good.csv"), "time\n0.5\n");
  const allowedGood = await validate(
    scenarioWithTrace("allowed-good", join(outside, "good.csv")),
    "--allow-outside",
    outside,
  );
  assert.equal(allowedGood.code, 0, allowedGood.stderr);
  const viaLink = await validate(scenarioWithTrace("via-link", "traces/link.csv"), "--allow-outside", outside);
  assert.equal(viaLink.code, 2);
  assert.doesNotMatch(viaLink.stderr, /outside the scenario's folder/, "a link into an allowed folder is allowed");
});

test("output directory - checked before the run: exits 2 at once for a file, an empty path or an unwritable place", async () => {
  const scenario = scenarioWithTrace("out", "traces/ok.csv");
  const aFile = join(dir.path, "a-file");
  writeFileSync(aFile, "");
  const readOnly = join(dir.path, "read-only");
  mkdirSync(readOnly);
  chmodSync(readOnly, 0o500);
  const cases: [string, RegExp][] = [
    [aFile, /exists and is not a directory/],
    ["", /empty/],
    ["/proc/dctwin-results", /cannot create/],
    [join(aFile, "below"), /cannot (create|use)/],
    ...(process.getuid?.() === 0 ? [] : ([[readOnly, /cannot write in/]] as [string, RegExp][])),
  ];
  for (const [out, message] of cases) {
    // A long paced run: only the early check can end it quickly.
    const result = await runCli(["run", scenario, "--transport", "inproc", "--speed", "0.01", "--out", out, "-q"], {
      timeoutMs: 30_000,
    });
    assert.equal(result.code, 2, `--out ${JSON.stringify(out)}: ${result.stderr}`);
    assert.match(result.stderr, /--out: /);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
  const fresh = join(dir.path, "new", "nested");
  const created = await runCli(["run", scenario, "--transport", "inproc", "--out", fresh, "-q"], { timeoutMs: 60_000 });
  assert.equal(created.code, 0, created.stderr);
  assert.ok(existsSync(join(fresh, "summary.json")));
});
