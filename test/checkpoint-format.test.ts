/**
 * Checkpoint format versioning through the real CLI: `dctwin run --resume` of a results directory whose checkpoint
 * this dctwin cannot take exits 2 with a message naming the file, both formats and the dctwin that wrote it, no
 * stack trace, and leaves every file as it was: a checkpoint written by a dctwin of format 1 (a real one, in
 * test/fixtures), and a current checkpoint whose host-0.bin is truncated, corrupted, of another format, of another
 * kind or headerless. The intact current checkpoint still resumes to the undisturbed run's results, byte for byte.
 * A host sent a format-1 snapshot over the wire (intact: its digest matches) refuses it before decoding and says why.
 */
import assert from "node:assert/strict";
import { cpSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { readCheckpoint } from "../coordinator/checkpoint/store.ts";
import { runTwin } from "../coordinator/run.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { runModels } from "../nodes/leap/support.ts";
import { CHECKPOINT_FORMAT } from "../nodes/runtime/checkpoint-part.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import { restoreFrames } from "../nodes/runtime/restore-wire.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { subjects } from "../nodes/runtime/transport/transport.ts";
import { tryDecode, wire } from "../nodes/runtime/wire.ts";
import { interruptedRun } from "./support/checkpoints.ts";
import { REPO_ROOT, runCli } from "./support/cli.ts";
import { readResults } from "./support/nats-run.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const FORMAT_1 = join(REPO_ROOT, "test/fixtures/checkpoint-format-1");
const { scenario } = loadScenarioFile(join(REPO_ROOT, "examples/tiny.yaml"), { durationNs: 3e9 });
/** An interrupted run's results directory with its checkpoint (at 1 s of 3). */
const current = join(dir.path, "current");
const whole = join(dir.path, "whole");

before(async () => {
  await runTwin({ scenario, hosts: 1, transport: "inproc", outDir: whole });
  await interruptedRun({ scenario, hosts: 1, outDir: current }, "format-run", 1);
});

/** Every file below `root`, by path, with its bytes. */
function files(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(root, path), readFileSync(path));
    }
  };
  walk(root);
  return out;
}

/** `--resume` of a copy of `from`, changed by `spoil`: exit 2, the message, no stack trace, nothing changed. */
async function refusedResume(name: string, from: string, spoil: (checkpoint: string) => void, message: RegExp) {
  const out = join(dir.path, name);
  cpSync(from, out, { recursive: true });
  spoil(join(out, "checkpoint"));
  const before = files(out);
  const result = await runCli(["run", "--resume", out, "-q", "--transport", "inproc"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  assert.deepEqual(files(out), before, "every file left as it was");
}

test("checkpoint format - a checkpoint written by a dctwin of format 1 is refused at its meta.json", async () => {
  await refusedResume(
    "format-1",
    FORMAT_1,
    () => {},
    new RegExp(
      `^error: --resume: .*format-1/checkpoint/meta\\.json: checkpoint format 1 \\(written by dctwin 0\\.1\\.0 at 2026-[^)]+\\); this dctwin \\([^)]+\\) reads format ${CHECKPOINT_FORMAT}: the checkpoint is left as it is \\(a dctwin of format 1 can resume it\\)$`,
      "m",
    ),
  );
});

test("checkpoint format - a part from format 1 in a current checkpoint is refused before decoding", async () => {
  await refusedResume(
    "headerless",
    current,
    (c) => cpSync(join(FORMAT_1, "checkpoint/host-0.bin"), join(c, "host-0.bin")),
    /headerless\/checkpoint\/host-0\.bin: it has no dctwin checkpoint header: written by a dctwin of checkpoint format 1 .*its meta\.json says format \d+, written by dctwin/,
  );
});

test("checkpoint format - a host part of another format is refused, naming both formats", async () => {
  await refusedResume(
    "format-9",
    current,
    (c) => {
      const bytes = readFileSync(join(c, "host-0.bin"));
      bytes.writeUInt32LE(9, 8);
      writeFileSync(join(c, "host-0.bin"), bytes);
    },
    new RegExp(
      `format-9/checkpoint/host-0\\.bin: checkpoint format 9, this dctwin reads format ${CHECKPOINT_FORMAT} \\(dctwin [^)]+\\); its meta\\.json says format ${CHECKPOINT_FORMAT}`,
    ),
  );
});

test("checkpoint format - a truncated, a corrupted or a swapped host-0.bin is refused", async () => {
  await refusedResume(
    "truncated",
    current,
    (c) => truncateSync(join(c, "host-0.bin"), 1000),
    /truncated\/checkpoint\/host-0\.bin: truncated: 976 of its \d+ snapshot bytes are there; .*: cannot resume from it, the checkpoint is left as it is$/m,
  );
  await refusedResume(
    "corrupted",
    current,
    (c) => {
      const bytes = readFileSync(join(c, "host-0.bin"));
      bytes[bytes.byteLength - 100]! ^= 0xff;
      writeFileSync(join(c, "host-0.bin"), bytes);
    },
    /corrupted\/checkpoint\/host-0\.bin: corrupted: its CRC-32 does not match/,
  );
  await refusedResume(
    "swapped",
    current,
    (c) => cpSync(join(c, "coordinator.bin"), join(c, "host-0.bin")),
    /swapped\/checkpoint\/host-0\.bin: it is a coordinator part, not a host part/,
  );
});

test("checkpoint format - a meta.json that is not JSON, or has no format, is refused", async () => {
  await refusedResume(
    "meta-garbage",
    current,
    (c) => writeFileSync(join(c, "meta.json"), "{ not json"),
    /meta-garbage\/checkpoint\/meta\.json is not a checkpoint's meta\.json: .*JSON/,
  );
  await refusedResume(
    "meta-no-format",
    current,
    (c) => writeFileSync(join(c, "meta.json"), JSON.stringify({ run_id: "r" })),
    /meta-no-format\/checkpoint\/meta\.json is not a checkpoint's meta\.json: it has no format number/,
  );
});

test("checkpoint format - the intact current checkpoint resumes to the undisturbed run's results", async () => {
  assert.equal(readCheckpoint(current).meta.format, CHECKPOINT_FORMAT);
  const out = join(dir.path, "intact");
  cpSync(current, out, { recursive: true });
  const resumed = await runCli(["run", "--resume", out, "-q", "--transport", "inproc"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(readResults(out), readResults(whole), "resumed = undisturbed, byte for byte");
});

test("checkpoint format - a host sent a format-1 snapshot over the wire refuses it before decoding and reports why", async () => {
  const meta = JSON.parse(readFileSync(join(FORMAT_1, "checkpoint/meta.json"), "utf8"));
  const transport = new InProcTransport();
  const runId = "format-1-host";
  const s = subjects(runId);
  const errors: string[] = [];
  transport.subscribe(s.error(0), (bytes) => errors.push(tryDecode(wire.HostError, bytes)?.message ?? "?"));
  const agent = new HostAgent({ transport, runId, host: 0, models: runModels, helloIntervalMs: 60_000 });
  agent.start();
  const start = { scenarioJson: meta.scenario_json, hostCount: 1, placement: meta.placement, restoreAtNs: meta.at_ns };
  transport.publish(s.start, wire.RunStart.encode(start).finish());
  for (const frame of restoreFrames(meta.at_ns, readFileSync(join(FORMAT_1, "checkpoint/host-0.bin"))))
    transport.publish(s.restore(0), frame);
  const reason = /^CheckpointPartError: it has no dctwin checkpoint header: written by a dctwin of checkpoint format 1/;
  assert.match(await agent.finished, new RegExp(`^host 0 failed: ${reason.source.slice(1)}`));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, reason);
  await transport.close();
});
