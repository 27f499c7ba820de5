/**
 * A first run on a bare machine, as a new user meets it: `npm install && npm start` on a copy of the repository with no
 * nats-server on the PATH runs in-process and says so; an explicit NATS transport without a server is an input
 * error; the CLI prints its version, works through bin/dctwin.js on the system Node, and reads flags from DCTWIN_*
 * variables; the quick-start scenario's summary shows energy.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { findExecutable } from "../coordinator/nats-server.ts";
import { collect, REPO_ROOT, runCli } from "./support/cli.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-first-run-");
after(() => dir.remove());

const NOTICE = /nats-server not found on the PATH: running in-process/;

/** A PATH with the system node and npm and a shell, and nothing else (no nats-server). */
function barePath(): string {
  const bin = join(dir.path, "bare-bin");
  mkdirSync(bin, { recursive: true });
  for (const name of ["node", "npm", "sh"]) {
    const target = findExecutable(name);
    assert.ok(target !== null, `${name} must be installed for this test`);
    if (!existsSync(join(bin, name))) symlinkSync(target, join(bin, name));
  }
  assert.equal(findExecutable("nats-server", bin), null);
  return bin;
}

test("first run - `npm install && npm start` on a copy of the repository without nats-server: a quiet install, then an in-process run that says so in one line and shows energy", async () => {
  const copy = join(dir.path, "repo");
  const skip = new Set(["node_modules", ".git", "results"]);
  cpSync(REPO_ROOT, copy, { recursive: true, filter: (src) => !skip.has(src.slice(REPO_ROOT.length).split("/")[0]!) });
  // The README's two commands as a new user types them, through a shell; packages come from the npm cache this
  // machine already has (offline when it holds them all), the rest as the user would get them.
  const env = {
    PATH: barePath(),
    HOME: dir.path,
    npm_config_cache: execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim(),
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    // The machine's way to the registry (its CA bundle, its proxy) is the user's too.
    ...pick(process.env, [
      "NODE_EXTRA_CA_CERTS",
      "HTTPS_PROXY",
      "https_proxy",
      "HTTP_PROXY",
      "http_proxy",
      "NO_PROXY",
      "no_proxy",
    ]),
  };
  const child = spawn("sh", ["-c", "npm install && npm start"], { cwd: copy, env, stdio: ["ignore", "pipe", "pipe"] });
  const result = await collect(child, 540_000);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /npm warn/i, "a quiet install");
  assert.equal(result.stderr.split("\n").filter((l) => NOTICE.test(l)).length, 1, result.stderr);
  assert.match(result.stdout, /tiny \(seed 1\): completed/);
  assert.match(result.stdout, /energy: \d/);
  // The first run answers with error bars and says plainly that its σ is unbounded, with no warnings to puzzle over.
  assert.match(result.stdout, /response_time_s \[client\]: mean [\d.]+ ms \(95% CI /);
  assert.doesNotMatch(result.stdout, /warning/);
  assert.match(result.stdout, /packet entropy production: unbounded, all \d+ currents are one-way/);
  const summary = JSON.parse(readFileSync(join(copy, "results/latest/summary.json"), "utf8")) as { status: string };
  assert.equal(summary.status, "completed");
  const info = JSON.parse(readFileSync(join(copy, "results/latest/run-info.json"), "utf8")) as { transport: string };
  assert.equal(info.transport, "inproc");
});

test("first run - an explicit NATS transport without nats-server is an input error (exit 2, no stack trace)", async () => {
  const result = await runCli(
    ["run", "examples/tiny.yaml", "--transport", "nats", "--duration", "2s", "--out", join(dir.path, "nats")],
    { env: { PATH: barePath() } },
  );
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /cannot find the nats-server binary/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
  assert.doesNotMatch(result.stderr, NOTICE);
});

test("first run - --version prints package.json's version; bin/dctwin.js runs the CLI on the system node too", async () => {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  assert.equal((await runCli(["--version"])).stdout.trim(), version);
  // Whatever `node` is first on the PATH (here the system's, which may be older than 22.18).
  const viaLauncher = execFileSync(join(REPO_ROOT, "bin/dctwin.js"), ["--version"], {
    env: { PATH: barePath() },
    encoding: "utf8",
  });
  assert.equal(viaLauncher.trim(), version);
});

test("first run - the CLI entries are executable in git (npm install sets the bit on bin entries; git must agree)", () => {
  if (!existsSync(join(REPO_ROOT, ".git"))) return;
  const modes = execFileSync("git", ["ls-files", "-s", "bin/dctwin.js", "cli/dctwin.ts"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  assert.deepEqual(
    modes
      .trim()
      .split("\n")
      .map((l) => l.split(" ")[0]),
    ["100755", "100755"],
  );
});

test("first run - every flag can come from a DCTWIN_* variable; the command line wins over it", async () => {
  const out = join(dir.path, "env");
  const result = await runCli(["run", "examples/tiny.yaml", "--out", out], {
    env: { DCTWIN_DURATION: "2s", DCTWIN_TRANSPORT: "inproc", DCTWIN_QUIET: "1" },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, ""); // DCTWIN_QUIET
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as { sim_time_s: number };
  assert.equal(summary.sim_time_s, 2);
  const bad = await runCli(["run", "examples/tiny.yaml", "--out", out], { env: { DCTWIN_HOSTS: "zero" } });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /DCTWIN_HOSTS/);
  const overridden = await runCli(["run", "examples/tiny.yaml", "--out", out, "--duration", "1500ms", "-q"], {
    env: { DCTWIN_DURATION: "2s", DCTWIN_TRANSPORT: "inproc" },
  });
  assert.equal(overridden.code, 0, overridden.stderr);
  assert.equal((JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as { sim_time_s: number }).sim_time_s, 1.5);
});

function pick(env: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])));
}
