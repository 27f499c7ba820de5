/**
 * The bundled host entry (coordinator/host-bundle.ts): built once into its cache folder, reused while its inputs
 * are unchanged, built again when one changed, not used with DCTWIN_DEBUG, and the same program as the sources
 * (`dctwin host --help` prints the same text from both). Runs over NATS start their hosts from it, so every NATS
 * test (determinism.test.ts among them) checks the bundle's results against in-process runs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { HOST_SOURCE_ENTRY, hostEntryFile } from "../coordinator/host-bundle.ts";

function helpText(entry: string): string {
  const run = spawnSync(process.execPath, [entry, "host", "--help"], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

test("the host entry is bundled once, reused, and rebuilt when an input changes", (t) => {
  const cacheDir = mkdtempSync(join(tmpdir(), "dctwin-host-bundle-"));
  t.after(() => rmSync(cacheDir, { recursive: true, force: true }));
  const logs: string[] = [];
  const log = (message: string) => logs.push(message);

  const built = hostEntryFile({ cacheDir, log, env: {} });
  assert.notEqual(built, HOST_SOURCE_ENTRY);
  assert.ok(built.startsWith(cacheDir), built);
  assert.equal(logs.filter((m) => m.startsWith("bundled the host entry")).length, 1, logs.join("\n"));
  assert.equal(helpText(built), helpText(HOST_SOURCE_ENTRY));

  assert.equal(hostEntryFile({ cacheDir, log, env: {} }), built);
  assert.equal(logs.length, 1, "an unchanged bundle is not built again");

  // An input that no longer matches what the manifest recorded (as after an edit) makes the bundle stale.
  const manifestFile = join(cacheDir, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { inputs: [string, number, number][] };
  const input = manifest.inputs.find(([path]) => path === "nodes/host.ts");
  assert.ok(input !== undefined, "nodes/host.ts is one of the bundle's inputs");
  input[2] -= 1_000;
  writeFileSync(manifestFile, JSON.stringify(manifest));
  const rebuilt = hostEntryFile({ cacheDir, log, env: {} });
  assert.equal(logs.length, 2, "a stale bundle is built again");
  assert.equal(dirname(rebuilt), dirname(built), "same sources, same build");
  assert.equal(hostEntryFile({ cacheDir, log, env: {} }), rebuilt);
  assert.equal(logs.length, 2);
});

test("with DCTWIN_DEBUG hosts start from the sources", () => {
  assert.equal(hostEntryFile({ env: { DCTWIN_DEBUG: "1" } }), HOST_SOURCE_ENTRY);
});
