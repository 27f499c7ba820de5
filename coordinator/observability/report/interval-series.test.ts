/**
 * The report's per-interval series from a hand-written intervals.jsonl, worked out by hand: joules per rack, each
 * interval's length (the last cut where the run stopped), servers in each state, CRAC inlet readings.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { INTERVALS_SCHEMA } from "../intervals-file.ts";
import { readIntervalSeries } from "./interval-series.ts";

const dir = mkdtempSync(join(tmpdir(), "dctwin-interval-series-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const ON = "level:state:on";
const OFF = "level:state:off";

function writeFile(name: string, racks: boolean): string {
  const labels = (rack: string) => (racks ? { rack, zone: "z1" } : { zone: "z1" });
  const header = {
    schema: INTERVALS_SCHEMA,
    scenario: "by-hand",
    interval_ns: 1e9,
    duration_ns: 3e9,
    sim_time_ns: 2.5e9, // stopped half-way through the third interval
    actors: [
      { id: "s1", kind: "server", group: "web", labels: labels("r1") },
      { id: "s2", kind: "server", group: "web", labels: labels("r2") },
      { id: "c1", kind: "crac", group: "crac", labels: { zone: "z1" } },
    ],
    links: [],
  };
  const line = (
    index: number,
    energy: [number, string, number][],
    counters: [number, string, number][],
  ): Record<string, unknown> => ({
    index,
    start_ns: index * 1e9,
    end_ns: (index + 1) * 1e9,
    events: 0,
    metrics: [],
    links: [],
    drops: {},
    energy: energy.map(([actor, component, joules]) => ({ actor, component, joules })),
    counters: counters.map(([actor, name, value]) => ({ actor, name, value })),
  });
  const lines = [
    header,
    line(
      0,
      [
        [0, "cpu", 100],
        [0, "fans", 10],
        [1, "cpu", 50],
      ],
      [
        [0, ON, 1e9],
        [1, ON, 0.5e9],
        [1, OFF, 0.5e9],
        [2, "inlet_mk", 2 * 293_150], // two readings of 20 °C
        [2, "inlet_samples", 2],
      ],
    ),
    line(
      1,
      [[2, "cooling", 30]],
      [
        [0, ON, 1e9],
        [1, ON, 1e9],
      ],
    ),
    line(
      2,
      [[0, "cpu", 40]],
      [
        [0, ON, 0.5e9],
        [2, "inlet_mk", 294_150],
        [2, "inlet_samples", 1],
      ],
    ),
  ];
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  return path;
}

test("interval series - joules per rack, interval lengths, servers per state and CRAC inlets, by hand", () => {
  const series = readIntervalSeries(writeFile("racks.jsonl", true), "r-1");
  assert.equal(series.view.runId, "r-1");
  assert.deepEqual(series.ends, [1, 2, 2.5]);
  assert.equal(series.energy.by, "rack");
  assert.deepEqual(series.energy.seconds, [1, 1, 0.5]);
  assert.deepEqual(
    new Map(series.energy.joules),
    new Map([
      ["r1", [110, 0, 40]],
      ["r2", [50, 0, 0]],
      ["(no rack)", [0, 30, 0]],
    ]),
  );
  assert.equal(series.servers, 2);
  // Interval 0: s1 on, s2 half on and half off; interval 1: both on; the half interval 2: s1 on throughout.
  assert.deepEqual(
    new Map(series.serverStates),
    new Map([
      ["on", [1.5, 2, 1]],
      ["off", [0.5, 0, 0]],
    ]),
  );
  assert.deepEqual(series.cracInlets, [{ actor: 2, values: [20, null, 21] }]);
});

test("interval series - actors without two racks are grouped by their group", () => {
  const series = readIntervalSeries(writeFile("groups.jsonl", false), "");
  assert.equal(series.energy.by, "group");
  assert.deepEqual(
    new Map(series.energy.joules),
    new Map([
      ["web", [160, 0, 40]],
      ["crac", [0, 30, 0]],
    ]),
  );
});
