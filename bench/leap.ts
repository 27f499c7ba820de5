/**
 * `npm run bench:leap` (also the last part of `npm run bench`): leap against exact mode on a generated k = 16
 * fat-tree (1,024 servers, 320,000 requests/s), as simulated seconds per wall second in-process on one host, and
 * the wall time of one simulated day of it with diurnal load in leap mode, against the issue's targets (≥ 100×;
 * a day in ≤ 10 min). Exact mode runs a short stretch only (it is the slow one); the ratio is of speeds.
 * Steps: 1 s for the hour, 60 s for the day (the diurnal rate moves < 0.3% per minute; a round trip's pipeline
 * of ~16 hops is then 16 min of a 24 h run). CPU seconds are printed too: on a shared machine wall time is
 * inflated by other processes. The diurnal peak (30,000 requests/s per balancer over 64 servers of 400/s) is 117%
 * of capacity: the servers' fluid backlogs grow through the afternoon and drain in the evening (the day's p99
 * response is about 50 min), so the day exercises the fluid regime as well as the quasi-steady one.
 *   node bench/leap.ts [--exact-s 0.5] [--leap-s 3600] [--day]
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { runTwin } from "../coordinator/run.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";

const { values } = parseArgs({
  options: {
    "exact-s": { type: "string", default: "0.5" },
    "leap-s": { type: "string", default: "3600" },
    day: { type: "boolean", default: false },
    "write-scenario": { type: "string" },
  },
});

function fatTree(durationS: number, mode: "exact" | "leap", diurnal: boolean) {
  const arrivals = diurnal
    ? { process: "diurnal", mean_rate_per_s: 20_000, amplitude: 0.5, period: "24h", peak_at: "15h" }
    : { process: "poisson", rate_per_s: 20_000 };
  return {
    name: "leap-bench-k16",
    run: {
      duration: `${durationS}s`,
      seed: 1,
      metrics_interval: durationS >= 3600 ? "1h" : `${durationS}s`,
      mode,
      leap: { step: durationS >= 86_400 ? "60s" : "1s" },
    },
    topology: {
      type: "fat-tree",
      k: 16,
      server: {
        cores: 4,
        service: { distribution: "exponential", mean: "10ms" },
        power: { model: "linear", idle_w: 100, max_w: 250 },
      },
      switch: { power: { chassis_w: 150, per_active_port_w: 2 } },
      server_link: { latency: "5us", bandwidth: "10Gbps" },
      fabric_link: { latency: "5us", bandwidth: "40Gbps" },
    },
    actors: Array.from({ length: 16 }, (_, pod) => ({
      id: `users-${pod}`,
      kind: "client",
      target: `lb-${pod}`,
      arrivals,
    })).concat(
      Array.from(
        { length: 16 },
        (_, pod) =>
          ({
            id: `lb-${pod}`,
            kind: "load_balancer",
            replicas: Array.from({ length: 64 }, (_, i) => `srv-${(pod + 1) % 16}-${Math.floor(i / 8)}-${i % 8}`),
            policy: "round_robin",
          }) as never,
      ),
    ),
    links: Array.from({ length: 16 }, (_, pod) => [
      { a: `users-${pod}`, b: `core-${pod % 64}`, latency: "20us", bandwidth: "100Gbps" },
      { a: `lb-${pod}`, b: `core-${(pod + 16) % 64}`, latency: "20us", bandwidth: "100Gbps" },
    ]).flat(),
  };
}

async function measure(label: string, durationS: number, mode: "exact" | "leap", diurnal = false) {
  const out = mkdtempSync(join(tmpdir(), "dctwin-leap-bench-"));
  try {
    const { scenario } = validateScenario(fatTree(durationS, mode, diurnal), label);
    const loadBefore = loadavg()[0]!;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const { summary } = await runTwin({ scenario, hosts: 1, transport: "inproc", outDir: out });
    const wallS = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    // The machine may be shared: the load average (1 min) before and after says how far wall time is inflated.
    const load = `load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`;
    console.log(
      `${label}: ${durationS} simulated s in ${wallS.toFixed(1)} wall s (${cpuS.toFixed(1)} CPU s, ${load}) = ${(durationS / wallS).toFixed(3)} sim s/wall s; ${summary.actors} actors, ${summary.events} events, energy ${(summary.thermodynamics.heat.energy_j / 3.6e6).toFixed(2)} kWh`,
    );
    return { speed: durationS / wallS, wallS, cpuS };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (values["write-scenario"] !== undefined) {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(values["write-scenario"], JSON.stringify(fatTree(Number(values["leap-s"]), "leap", values.day)));
  process.exit(0);
}
const exact = await measure("exact, k=16 fat-tree", Number(values["exact-s"]), "exact");
const leap = await measure("leap, k=16 fat-tree", Number(values["leap-s"]), "leap");
const ratio = leap.speed / exact.speed;
const cpuRatio = Number(values["leap-s"]) / leap.cpuS / (Number(values["exact-s"]) / exact.cpuS);
console.log(
  `leap / exact: ${ratio.toFixed(0)}x simulated seconds per wall second, ${cpuRatio.toFixed(0)}x per CPU second (target ≥ 100x: ${ratio >= 100 ? "met" : "missed"})`,
);
if (values.day) {
  const day = await measure("leap, k=16 fat-tree, one day of diurnal load", 86_400, "leap", true);
  console.log(
    `one simulated day: ${(day.wallS / 60).toFixed(1)} wall min, ${(day.cpuS / 60).toFixed(1)} CPU min (target ≤ 10 min: ${day.wallS <= 600 ? "met" : "missed"})`,
  );
}
