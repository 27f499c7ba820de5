/**
 * Trace-replay clients in leap mode: a step sends the trace's own rows of its span (exact counts, grouped by
 * request type and size), so per-interval requests and the bytes on the client's link equal the trace's, and the
 * response times agree with exact mode replaying the same trace.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runScenario } from "./support/twin.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const DURATION_S = 4;
const INTERVAL_S = 0.5;

/** A bursty trace: 1,000/s in the first half, 3,000/s in the second, three request types, sizes given or not. */
function traceRows() {
  let x = 12345;
  const uniform = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const rows: { at: number; type: string; bytes?: number }[] = [];
  for (let t = 0; ; ) {
    t += -Math.log(1 - uniform()) / (t < DURATION_S / 2 ? 1000 : 3000);
    if (t >= DURATION_S + 0.5) break; // rows past the end are never sent
    const type = ["get", "put", "scan"][Math.floor(uniform() * 3)]!;
    rows.push(type === "get" ? { at: t, type } : { at: t, type, bytes: type === "put" ? 1200 : 90 });
  }
  return rows;
}

const ROWS = traceRows();

function scenario(mode: "exact" | "leap", seed: number) {
  return {
    name: "trace",
    run: { duration: `${DURATION_S}s`, seed, metrics_interval: `${INTERVAL_S}s`, mode, leap: { step: "10ms" } },
    actors: [
      { id: "users", kind: "client", target: "web", request_bytes: 200, arrivals: { process: "trace", rows: ROWS } },
      { id: "tor", kind: "switch" },
      { id: "web", kind: "server", cores: 4, service: { distribution: "exponential", mean: "1ms" } },
    ],
    links: [
      { a: "users", b: "tor", latency: "20us" },
      { a: "tor", b: "web", latency: "20us" },
    ],
  };
}

interface Summary {
  link_traffic: { id: string; a_to_b: { packets: number; bytes: number } }[];
  metrics: Record<string, Record<string, { count: number; mean: number }>>;
}

async function run(mode: "exact" | "leap", seed: number) {
  const { summary, outDir } = await runScenario(scenario(mode, seed), dir.path);
  const perInterval = readFileSync(join(outDir, "timeseries.csv"), "utf8")
    .trim()
    .split("\n")
    .map((line) => line.split(","))
    .filter((cells) => cells[2] === "requests_sent")
    .map((cells) => ({ start: Number(cells[0]), count: Number(cells[5]) }));
  return { summary: summary as unknown as Summary, perInterval };
}

test("leap trace clients send the trace's rows per step, with their sizes, and match exact response times", async (t) => {
  const inRun = ROWS.filter((r) => r.at < DURATION_S);
  const traceBytes = inRun.reduce((s, r) => s + (r.bytes ?? 200), 0);
  const means = { exact: [] as number[], leap: [] as number[] };
  for (const seed of [1, 2, 3])
    for (const mode of ["exact", "leap"] as const) {
      const { summary, perInterval } = await run(mode, seed);
      for (let i = 0; i < DURATION_S / INTERVAL_S; i++) {
        const expected = inRun.filter((r) => r.at >= i * INTERVAL_S && r.at < (i + 1) * INTERVAL_S).length;
        const seen = perInterval.find((p) => Math.abs(p.start - i * INTERVAL_S) < 1e-9)?.count ?? 0;
        assert.equal(seen, expected, `${mode} seed ${seed}: requests sent in interval ${i}`);
      }
      const up = summary.link_traffic.find((l) => l.id === "users--tor")!.a_to_b;
      assert.equal(up.packets, inRun.length, `${mode}: requests on the client's link`);
      assert.equal(up.bytes, traceBytes, `${mode}: request bytes on the client's link are the trace's`);
      means[mode].push(summary.metrics.response_time_s!.client!.mean);
    }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  // ~36,000 responses per mode at ρ up to 0.75: the mean response's standard error is under 1%.
  const ratio = mean(means.leap) / mean(means.exact);
  t.diagnostic(`mean response leap/exact: ${ratio.toFixed(4)}`);
  assert.ok(Math.abs(ratio - 1) < 0.05, `mean response: leap ${mean(means.leap)}, exact ${mean(means.exact)}`);
});
