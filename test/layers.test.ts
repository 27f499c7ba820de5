/**
 * The import check (scripts/check-layers.ts): the repository passes it, and it catches imports against the
 * layers, imports of test code, cycles between folders and actor kind names in coordinator/, planted in a
 * throw-away tree.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import test from "node:test";
import { actorKinds } from "../nodes/models/registry.ts";
import { checkLayers, layerOf, LAYERS } from "../scripts/check-layers.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "dctwin-layers-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test("layers - the repository's imports follow the layers, with no cycle between folders", () => {
  assert.deepEqual(checkLayers(ROOT, actorKinds), []);
});

test("layers - a folder belongs to the most specific layer listed", () => {
  assert.equal(LAYERS[layerOf("nodes/runtime/shard.ts")!], "nodes/runtime");
  assert.equal(LAYERS[layerOf("nodes/host.ts")!], "nodes");
  assert.equal(LAYERS[layerOf("coordinator/driver/run-driver.ts")!], "coordinator");
  assert.equal(layerOf("test/x.test.ts"), undefined);
});

test("layers - planted violations are each reported", () => {
  const root = tree({
    "spec/units.ts": 'import { plan } from "../coordinator/plan.ts";\nexport const u = plan;\n',
    "coordinator/plan.ts": "export const plan = 1;\n",
    "nodes/runtime/host-agent.ts": 'import type { M } from "../models/server.ts";\nexport type A = M;\n',
    "nodes/models/server.ts": 'export type M = number;\nexport const d = () => import("../../test/support/x.ts");\n',
    "scenario/load.ts": 'export { plan } from "../coordinator/plan.ts";\n',
    "coordinator/a/one.ts": 'import { two } from "../b/two.ts";\nexport const one = two;\n',
    "coordinator/b/two.ts": 'import { three } from "../c/three.ts";\nexport const two = three;\n',
    "coordinator/c/three.ts": 'import { one } from "../a/one.ts";\nexport const three = () => one;\n',
    "coordinator/ledgers/pue.ts":
      'export const cooling = (a: { kind: string }) => a.kind === "crac";\nexport const label = "crac";\n',
    "cli/ok.ts":
      'import { plan } from "../coordinator/plan.ts";\nimport { u } from "../spec/units.ts";\nimport { z } from "zod";\nexport const ok = [plan, u, z];\n',
  });
  try {
    const problems = checkLayers(root, ["crac", "server"]);
    const about = (text: string) => problems.filter((p) => p.includes(text));
    assert.equal(
      about("spec/units.ts imports coordinator/plan.ts: spec may not import coordinator").length,
      1,
      problems.join("\n"),
    );
    assert.equal(
      about("nodes/runtime/host-agent.ts imports nodes/models/server.ts: nodes/runtime may not import nodes/models")
        .length,
      1,
    );
    assert.equal(about("nodes/models/server.ts imports test/support/x.ts").length, 1);
    assert.equal(about("scenario/load.ts imports coordinator/plan.ts").length, 1, "a re-export is an import");
    assert.equal(about("folders import each other: coordinator/a, coordinator/b, coordinator/c").length, 1);
    assert.equal(
      about('coordinator/ledgers/pue.ts:1 names the actor kind "crac"').length,
      1,
      "a kind name where a kind is meant",
    );
    assert.equal(about("cli/ok.ts").length, 0, "importing down is fine");
    assert.equal(problems.length, 6, problems.join("\n"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
