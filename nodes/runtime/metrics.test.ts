import assert from "node:assert/strict";
import { test } from "node:test";
import { newAccumulator, observe, WindowMetrics, type MetricAccumulator } from "./metrics.ts";

/** Plain accumulators by (name, group), filled by `observe`: what the window metrics must drain. */
function expected(records: readonly [string, string, number, number][]): MetricAccumulator[] {
  const byKey = new Map<string, MetricAccumulator>();
  for (const [name, group, value, weight] of records) {
    const key = `${name}\u0000${group}`;
    let acc = byKey.get(key);
    if (acc === undefined) {
      acc = newAccumulator(name, group);
      byKey.set(key, acc);
    }
    observe(acc, value, weight);
  }
  return [...byKey.values()].sort((a, b) =>
    a.name === b.name ? (a.group < b.group ? -1 : 1) : a.name < b.name ? -1 : 1,
  );
}

function plain(accs: readonly MetricAccumulator[]) {
  return accs.map((a) => ({ ...a, histogram: [...a.histogram.counts].sort(([x], [y]) => x - y) }));
}

test("window metrics - many (metric, group) pairs, scanned and mapped, drain as observe accumulates them", () => {
  // 6 metrics x 5 groups = 30 slots: more than the scanned ones, so both lookups are used.
  const names = ["requests_sent", "queue_wait_ns", "busy_core_ns", "response_time_ns", "timeouts", "late"];
  // Groups built at run time (as parsed from a scenario), so equal names are not always the same string object.
  const groups = ["users", "remote", "web", "db", "cache"].map((g) => [...g].join(""));
  const metrics = new WindowMetrics();
  for (let interval = 0; interval < 3; interval++) {
    const records: [string, string, number, number][] = [];
    let x = 12345 + interval;
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const name = names[x % names.length]!;
      const group = groups[(x >>> 8) % groups.length]!;
      // Values across the dense range and beyond it (2^59 and above), with zero and negative ones.
      const value = (x >>> 3) % 7 === 0 ? 2 ** 60 + x : ((x >>> 4) % 2_000_000) - 10;
      const weight = 1 + ((x >>> 12) % 3);
      records.push([name, group, value, weight]);
      metrics.record(name, group, value, weight);
    }
    assert.deepEqual(plain(metrics.drain()), plain(expected(records)), `interval ${interval}`);
  }
  assert.deepEqual(metrics.drain(), [], "a drain with nothing recorded since is empty");
});
