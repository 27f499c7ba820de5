import assert from "node:assert/strict";
import { test } from "node:test";
import { LinkTable } from "./link-table.ts";
import { decodeSnapshot, encodeSnapshot, registerSnapshotClasses } from "./snapshot-codec.ts";
import type { LinkSpec } from "./topology.ts";

registerSnapshotClasses({ LinkTable });

const spec = (index: number, latencyNs: number): LinkSpec => ({
  index,
  id: `l${index}`,
  a: index,
  b: index + 1,
  latencyNs,
  bandwidthBps: 1e9,
  loss: 0,
});

test("tables over one scenario share the links as loaded until a command changes one", () => {
  const specs = [spec(0, 1000), spec(1, 2000), spec(2, 3000)];
  const shard = new LinkTable(specs);
  const planner = new LinkTable(specs);
  assert.equal(shard.links, planner.links, "one array of links for both");
  assert.deepEqual(shard.links[1], { ...specs[1], up: true, jitterNs: 0 });
  assert.notEqual(shard.links[1], specs[1], "the scenario's own link objects are never changed");
});

test("a command changes the table it is applied to and no other, nor the scenario", () => {
  const specs = [spec(0, 1000), spec(1, 2000), spec(2, 3000)];
  const shard = new LinkTable(specs);
  const planner = new LinkTable(specs);
  const before = planner.links[1];
  shard.apply({ link: 1, up: false, latencyNs: 5000, jitterNs: 7, loss: 0.5, bandwidthBps: 2e9 });
  assert.deepEqual(shard.links[1], {
    ...specs[1],
    latencyNs: 5000,
    bandwidthBps: 2e9,
    loss: 0.5,
    up: false,
    jitterNs: 7,
  });
  assert.equal(shard.down, 1);
  assert.equal(shard.version, 1);
  assert.equal(planner.links[1], before);
  assert.deepEqual(planner.links[1], { ...specs[1], up: true, jitterNs: 0 });
  assert.equal(planner.down, 0);
  assert.equal(specs[1]!.latencyNs, 2000);
  assert.equal(shard.links[0], planner.links[0], "unchanged links stay shared");
  shard.apply({ link: 1, up: true });
  assert.equal(shard.down, 0);
  assert.equal(shard.links[1]!.latencyNs, 5000, "a second command changes the table's own copy");
  assert.throws(() => shard.apply({ link: 3, up: false }), /unknown link 3/);
});

test("a copy starts from the table as it is and changes apart from it", () => {
  const specs = [spec(0, 1000), spec(1, 2000)];
  const table = new LinkTable(specs);
  table.apply({ link: 0, latencyNs: 9000 });
  const copy = table.copy();
  copy.apply({ link: 0, latencyNs: 100 });
  copy.apply({ link: 1, up: false });
  assert.equal(table.links[0]!.latencyNs, 9000);
  assert.equal(table.links[1]!.up, true);
  assert.equal(table.down, 0);
  assert.equal(copy.links[0]!.latencyNs, 100);
  assert.equal(copy.down, 1);
});

test("tables restored from a checkpoint keep their changes and still copy before changing", () => {
  const specs = [spec(0, 1000), spec(1, 2000)];
  const a = new LinkTable(specs);
  const b = new LinkTable(specs);
  a.apply({ link: 0, up: false });
  const [ra, rb] = decodeSnapshot<LinkTable[]>(encodeSnapshot([a, b], new Map()), new Map());
  assert.deepEqual(ra!.links, a.links);
  assert.equal(ra!.down, 1);
  assert.deepEqual(rb!.links, b.links);
  rb!.apply({ link: 1, latencyNs: 1 });
  ra!.apply({ link: 1, jitterNs: 3 });
  assert.equal(ra!.links[1]!.latencyNs, 2000);
  assert.equal(rb!.links[1]!.jitterNs, 0);
});
