import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import { emptyInterval, type IntervalRecord } from "../coordinator/counts/aggregate.ts";
import { sortedKeys } from "../coordinator/counts/sorted-keys.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { TextBuffer } from "../coordinator/results/text-buffer.ts";
import { LinkRows } from "../coordinator/results/timeseries.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

/** links.csv's rows as they were made before the cells were kept encoded: LinkRows must write these bytes. */
function reference(interval: IntervalRecord, scenario: ResolvedScenario, startNs: number, endNs: number): string {
  const [t0, t1] = [startNs / 1e9, endNs / 1e9];
  return [...interval.links]
    .sort(([a], [b]) => a - b)
    .map(([key, t]) => {
      const link = scenario.links[key >> 1]!;
      const [from, to] = (key & 1) === 0 ? [link.a, link.b] : [link.b, link.a];
      return `${t0},${t1},${link.id},${scenario.actors[from]!.id}->${scenario.actors[to]!.id},${t.packets},${t.bytes},${t.lost}\n`;
    })
    .join("");
}

test("links.csv rows - by link and direction, the same bytes as the row text, interval after interval", () => {
  const loaded = loadScenarioFile(join(root, "examples", "bench-300.yaml")).scenario;
  // An id that is not ASCII (an end of link 0), to check the encoded cells.
  const renamed = loaded.links[0]!.a;
  const scenario = {
    ...loaded,
    actors: loaded.actors.map((a, i) => (i === renamed ? { ...a, id: `${a.id}-é` } : a)),
  };
  const last = 2 * scenario.links.length - 1;
  const rows = new LinkRows(scenario);
  const out = new TextBuffer();
  for (let index = 0; index < 3; index++) {
    const interval = emptyInterval(index);
    for (const key of [last, 0, last - 1, 1].slice(0, index + 2))
      interval.links.set(key, { packets: key + index, bytes: 1500 * (key + 1) + 0.5 * index, lost: index });
    // The last interval is cut short (a run stopped inside it): its rows end where it stopped.
    const [startNs, endNs] = [index * 7_000_000, index < 2 ? (index + 1) * 7_000_000 : 16_123_456];
    rows.write(out, interval, sortedKeys(interval.links), startNs, endNs);
    assert.equal(out.take().toString("utf8"), reference(interval, scenario, startNs, endNs));
  }
});
