/**
 * The hostile corpus: scenarios and flags built to hurt (magnitudes, sizes, paths, YAML bombs, encodings, special
 * files, bad flags). Every case must exit 2 with its problem named by field path, file location or flag, with no
 * stack trace, within 10 s of CPU time and 1 GiB (peak RSS, with the heap capped at 1 GiB too). The child runs
 * under /usr/bin/time, which reports its CPU time and peak RSS; at most two run at a time (a shared machine).
 *
 * Static cases are test/hostile/scenarios/*.yaml, each starting with `# expect: <text>` (stderr must contain it);
 * cases that need a huge, binary or special file are made here.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  ftruncateSync,
} from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { ScenarioError } from "../scenario/issues.ts";
import { formatCount, MAX_ACTORS } from "../spec/limits.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { CLI_PATH, REPO_ROOT } from "./support/cli.ts";
import { tempDir } from "./support/scenarios.ts";

const CORPUS = join(REPO_ROOT, "test", "hostile", "scenarios");
const CPU_LIMIT_S = 10;
const RSS_LIMIT_KIB = 1024 * 1024;
const WALL_KILL_MS = 300_000; // only a hang detector (a shared machine can be slow): the bound checked is CPU time

const dir = tempDir("dctwin-hostile-");
after(() => dir.remove());
const env = {
  ...process.env,
  NODE_COMPILE_CACHE: join(dir.path, "compile-cache"),
  NODE_OPTIONS: "--max-old-space-size=1024",
  DCTWIN_DEBUG: "",
};

interface Case {
  name: string;
  args: string[];
  /** stderr must contain this. */
  expect: string | RegExp;
}

interface Outcome {
  code: number | null;
  stderr: string;
  cpuS: number;
  rssKiB: number;
}

function runMeasured(args: string[]): Promise<Outcome> {
  const child = spawn("/usr/bin/time", ["-f", "dctwin-rusage %U %S %M", process.execPath, CLI_PATH, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stdout!.resume();
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), WALL_KILL_MS);
    child.once("close", (code) => {
      clearTimeout(timer);
      const usage = /dctwin-rusage ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      const report = stderr.replace(/(Command exited with non-zero status \d+\n)?dctwin-rusage .*\n?$/, "");
      resolve({
        code,
        stderr: report,
        cpuS: usage === null ? Number.NaN : Number(usage[1]) + Number(usage[2]),
        rssKiB: usage === null ? Number.NaN : Number(usage[3]),
      });
    });
  });
}

function staticCases(): Case[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const first = readFileSync(join(CORPUS, f), "utf8").split("\n")[0]!;
      assert.match(first, /^# expect: /, `${f}: starts with "# expect:"`);
      return { name: f, args: ["validate", join(CORPUS, f)], expect: first.slice("# expect: ".length).trim() };
    });
}

const valid =
  "run: { duration: 1s }\nactors:\n  - { id: users, kind: client, target: web, arrivals: { process: poisson, rate_per_s: 100 } }\n  - { id: web, kind: server, service: { distribution: exponential, mean: 1ms } }\nlinks:\n  - { a: users, b: web, latency: 100us }\n";

/** Files too big, binary or special to keep in git. */
function generatedCases(): Case[] {
  const g = (name: string) => join(dir.path, name);
  writeFileSync(g("valid.yaml"), valid);
  // Sizes: a 50 MB scenario (mostly one comment), and one just over the limit.
  writeFileSync(g("fifty-mb.yaml"), `${valid}# ${"x".repeat(50 * 1024 * 1024)}\n`);
  writeFileSync(g("just-over.yaml"), `${valid}# ${"y".repeat(1024 * 1024)}\n`);
  // Nearly 1 MiB of actor entries, the last one wrong: the heaviest file the size limit lets through.
  const many = ["run: { duration: 1s }", "actors:"];
  let bytes = 0;
  for (let i = 0; bytes < 1000 * 1024; i++) bytes += many[many.push(`  - {id: s${i}, kind: switch}`) - 1]!.length + 1;
  many.push(`  - {id: last, kind: swich}`);
  writeFileSync(g("many-actors.yaml"), `${many.join("\n")}\n`);
  // Encodings.
  writeFileSync(g("utf16.yaml"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid, "utf16le")]));
  writeFileSync(g("latin1.yaml"), Buffer.from(`name: caf\xe9\n${valid}`, "latin1"));
  writeFileSync(g("binary.yaml"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
  writeFileSync(g("bom-utf8.yaml"), `\ufeff${valid.replace("duration: 1s", "duration: forever")}`);
  writeFileSync(g("nul-bytes.yaml"), `${valid}\0\0\0`);
  writeFileSync(g("crlf-bad.yaml"), valid.replace(/\n/g, "\r\n").replace("rate_per_s: 100", "rate_per_s: -1"));
  // Special files as the scenario.
  mkdirSync(g("a-folder"));
  const fifo = g("a-fifo.yaml");
  spawnSyncOk("mkfifo", [fifo]);
  // Traces: a sparse file over the size limit, a link to /dev/zero, /dev/zero allowed explicitly.
  const traces = g("traces");
  mkdirSync(traces);
  const big = openSync(join(traces, "huge.csv"), "w");
  ftruncateSync(big, 300 * 1024 * 1024);
  closeSync(big);
  symlinkSync("/dev/zero", join(traces, "zero.csv"));
  const trace = (name: string, file: string) => {
    writeFileSync(
      g(name),
      valid.replace(
        "arrivals: { process: poisson, rate_per_s: 100 }",
        `arrivals: { process: trace, file: ${JSON.stringify(file)} }`,
      ),
    );
    return g(name);
  };
  return [
    {
      name: "50 MB scenario",
      args: ["validate", g("fifty-mb.yaml")],
      expect: /fifty-mb\.yaml: 1 problem\n\s+the file has [\d,]+ bytes; a scenario may have at most 1,048,576/,
    },
    {
      name: "scenario just over 1 MiB",
      args: ["validate", g("just-over.yaml")],
      expect: "a scenario may have at most 1,048,576",
    },
    {
      name: "1 MiB of actors, the last one wrong",
      args: ["validate", g("many-actors.yaml")],
      expect: `actors[${many.length - 3}].kind: unknown kind "swich"`,
    },
    {
      name: "UTF-16 with BOM",
      args: ["validate", g("utf16.yaml")],
      expect: "not UTF-8 text (invalid UTF-8 at byte offset 0)",
    },
    {
      name: "Latin-1",
      args: ["validate", g("latin1.yaml")],
      expect: "not UTF-8 text (invalid UTF-8 at byte offset 9)",
    },
    {
      name: "binary noise",
      args: ["validate", g("binary.yaml")],
      expect: /not UTF-8 text \(invalid UTF-8 at byte offset \d+\)/,
    },
    {
      name: "UTF-8 BOM, then a bad duration",
      args: ["validate", g("bom-utf8.yaml")],
      expect: "run.duration: expected a positive duration",
    },
    {
      name: "NUL bytes after the YAML",
      args: ["validate", g("nul-bytes.yaml")],
      expect: /YAML syntax error at line \d+, column \d+/,
    },
    {
      name: "CRLF line ends, bad rate",
      args: ["validate", g("crlf-bad.yaml")],
      expect: "actors[0].arrivals.rate_per_s: expected a positive number",
    },
    {
      name: "a folder as the scenario",
      args: ["validate", g("a-folder")],
      expect: "a-folder: 1 problem\n  not a regular file",
    },
    { name: "a FIFO as the scenario (never opened)", args: ["validate", fifo], expect: "not a regular file" },
    {
      name: "/dev/zero as the scenario",
      args: ["validate", "/dev/zero"],
      expect: "/dev/zero: 1 problem\n  not a regular file",
    },
    { name: "/dev/urandom as the scenario", args: ["validate", "/dev/urandom"], expect: "not a regular file" },
    { name: "a missing scenario", args: ["validate", g("missing.yaml")], expect: "cannot read the file (ENOENT)" },
    {
      name: "trace over 256 MiB (sparse)",
      args: ["validate", trace("big-trace.yaml", "traces/huge.csv")],
      expect: 'actors[0].arrivals.file: "traces/huge.csv" has 314,572,800 bytes; at most 268,435,456',
    },
    {
      name: "trace: a link to /dev/zero",
      args: ["validate", trace("zero-link.yaml", "traces/zero.csv")],
      expect: 'actors[0].arrivals.file: "traces/zero.csv" is outside the scenario\'s folder',
    },
    {
      name: "trace: /dev/zero with /dev allowed",
      args: ["validate", trace("zero-allowed.yaml", "/dev/zero"), "--allow-outside", "/dev"],
      expect: 'actors[0].arrivals.file: "/dev/zero" is not a regular file',
    },
    ...badFlags(g("valid.yaml")),
  ];
}

function spawnSyncOk(command: string, args: string[]): void {
  const result = spawnSync(command, args);
  assert.equal(result.status, 0, `${command} ${args.join(" ")}`);
}

/** Bad flags on a valid scenario: each names the flag. */
function badFlags(file: string): Case[] {
  const run = (name: string, args: string[], expect: string | RegExp): Case => ({
    name: `flag: ${name}`,
    args: ["run", file, "--transport", "inproc", "--out", join(dir.path, "out"), ...args],
    expect,
  });
  return [
    run("--hosts 0", ["--hosts", "0"], "--hosts expects a positive whole number"),
    run("--hosts 100000", ["--hosts", "100000"], "--hosts expects at most 256"),
    run("--hosts 1e3", ["--hosts", "1e3"], "--hosts expects at most 256"),
    run("--hosts two", ["--hosts", "two"], "--hosts expects a positive whole number"),
    run("--seed -1", ["--seed", "-1"], /option '--seed <n>' argument '-1' is invalid/),
    run("--seed 1e300", ["--seed", "1e300"], /--seed <n>.*expects a whole number from 0 to 2\^53/),
    run("--duration 0", ["--duration", "0"], "--duration: expected a positive duration"),
    run("--duration 200y", ["--duration", "200y"], "--duration: expected a positive duration"),
    run("--duration 1000000h", ["--duration", "1000000h"], "--duration: expected a positive duration"),
    run("--speed 0", ["--speed", "0"], "expects a positive number"),
    run("--speed NaN", ["--speed", "NaN"], "expects a positive number"),
    run("--speed Infinity", ["--speed", "Infinity"], "expects a positive number"),
    run("--metrics-port 70000", ["--metrics-port", "70000"], "expects a port from 0 to 65535"),
    run("--control-port -5", ["--control-port", "-5"], /--control-port <port>' argument '-5' is invalid/),
    run("--transport carrier-pigeon", ["--transport", "carrier-pigeon"], "Allowed choices are nats, inproc"),
    run("--metrics-level everything", ["--metrics-level", "everything"], "Allowed choices are"),
    run("--run-id with a dot", ["--run-id", "a.b"], "--run-id may hold letters, digits"),
    run("--run-id wildcard", ["--run-id", ">"], "--run-id may hold letters, digits"),
    run("--out empty", ["--out", ""], "--out: expected a directory path"),
    run("--out a file", ["--out", file], `--out: ${file} exists and is not a directory`),
    run("--out under /proc", ["--out", "/proc/dctwin/out"], "--out: cannot create /proc/dctwin/out"),
    run("--join without --nats", ["--transport", "nats", "--join"], "--join needs --nats URL"),
    run(
      "--nats-user without --nats",
      ["--nats-user", "u", "--nats-password", "p"],
      "NATS credentials and TLS options need --nats URL",
    ),
    run(
      "--nats-password alone",
      ["--nats", "nats://127.0.0.1:1", "--nats-password", "p"],
      "--nats-password needs --nats-user",
    ),
    run(
      "--nats-token and --nats-creds",
      ["--nats", "nats://127.0.0.1:1", "--nats-token", "t", "--nats-creds", file],
      "give one of --nats-user/--nats-password, --nats-token",
    ),
    run(
      "--nats-nkey-seed not a seed",
      ["--transport", "nats", "--nats", "nats://127.0.0.1:1", "--nats-nkey-seed", file],
      "does not hold an nkey user seed",
    ),
    run(
      "--nats-ca missing",
      ["--transport", "nats", "--nats", "nats://127.0.0.1:1", "--nats-ca", join(dir.path, "nope.pem")],
      "--nats-ca: cannot read",
    ),
    run("unknown flag", ["--frobnicate"], "unknown option '--frobnicate'"),
    run(
      "--experiment missing",
      ["--experiment", join(dir.path, "nope.yaml")],
      /nope\.yaml: 1 problem\n\s+cannot read the file \(ENOENT\)/,
    ),
    {
      name: "flag: dctwin host --host -1",
      args: ["host", "--nats", "nats://127.0.0.1:1", "--run", "r", "--host", "-1"],
      expect: /--host expects a whole number from 0, or "auto", got "-1"/,
    },
    { name: "flag: unknown command", args: ["frobnicate"], expect: "unknown command 'frobnicate'" },
  ];
}

const FIELD_PATH = /^((?:actors|links|run|topology|experiment)(?:\[\d+\]|\.[\w-]+)*): (.+)$/;

/** A "path: words" expectation needs a problem line for that path containing the words; anything else, the text. */
function mentions(stderr: string, expect: string | RegExp): boolean {
  if (typeof expect !== "string") return expect.test(stderr);
  const field = FIELD_PATH.exec(expect);
  if (field === null) return stderr.includes(expect);
  return stderr.split("\n").some((line) => line.trim().startsWith(`${field[1]}: `) && line.includes(field[2]!));
}

async function pool<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

test("hostile corpus - more actors or links than the limits are refused before any entry is validated", () => {
  const actors = Array.from({ length: MAX_ACTORS + 1 }, (_, i) => ({ id: `s${i}`, kind: "switch" }));
  assert.throws(
    () => validateScenario({ run: { duration: "1s" }, actors }, "many.yaml"),
    (error: unknown) => {
      assert.ok(error instanceof ScenarioError);
      assert.deepEqual(error.issues, [
        {
          path: "actors",
          message: `${formatCount(MAX_ACTORS + 1)} actors; a scenario may have at most ${formatCount(MAX_ACTORS)}`,
        },
      ]);
      return true;
    },
  );
});

test("hostile corpus - every case exits 2 with the problem named, no stack trace, within 10 s CPU and 1 GiB", async () => {
  const cases = [...staticCases(), ...generatedCases()];
  assert.ok(cases.length >= 100, `${cases.length} cases`);
  const outcomes = await pool(cases, 2, (c) => runMeasured(c.args));
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const o = outcomes[i]!;
    const problems: string[] = [];
    if (o.code !== 2) problems.push(`exit ${o.code}`);
    if (!mentions(o.stderr, c.expect)) problems.push(`stderr lacks ${String(c.expect)}`);
    if (/^\s+at .+[(:]/m.test(o.stderr) || /node:internal|\.ts:\d+:\d+/.test(o.stderr)) problems.push("stack trace");
    if (/^(?:dctwin: )?(?:Reference|Range|Type|Syntax)Error/m.test(o.stderr)) problems.push("bare JS error");
    if (!(o.cpuS <= CPU_LIMIT_S)) problems.push(`CPU ${o.cpuS} s`);
    if (!(o.rssKiB <= RSS_LIMIT_KIB)) problems.push(`peak RSS ${Math.round(o.rssKiB / 1024)} MiB`);
    if (problems.length > 0) failures.push(`${c.name}: ${problems.join(", ")}\n${o.stderr.slice(0, 600)}`);
  });
  const worst = outcomes.reduce((w, o) => ({ cpu: Math.max(w.cpu, o.cpuS), rss: Math.max(w.rss, o.rssKiB) }), {
    cpu: 0,
    rss: 0,
  });
  console.log(
    `hostile corpus: ${cases.length} cases; worst CPU ${worst.cpu.toFixed(2)} s, worst peak RSS ${Math.round(worst.rss / 1024)} MiB`,
  );
  assert.deepEqual(failures, []);
});
