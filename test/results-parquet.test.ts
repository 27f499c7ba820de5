/**
 * The analyst tables (RUN_DIR/tables/*.parquet and *.csv): the Parquet files read back with hyparquet (the writer
 * library's reader) to the same values as their CSVs and to the run's own CSVs and summary; every interval has
 * every row (explicit zeros); a two-run sweep concatenates by run_id; `dctwin export --parquet` rebuilds them.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { parquetReadObjects } from "hyparquet";
import { stringify } from "yaml";
import { runTwin } from "../coordinator/run.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { runCli } from "./support/cli.ts";
import { readCsv } from "./support/csv.ts";
import { twoGroupShop } from "./support/observability.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-parquet-");
after(() => dir.remove());

type Row = Record<string, string | number | bigint | null>;
const TABLES = ["metrics", "drops", "links", "actors", "ledger"];

async function readParquet(path: string): Promise<Row[]> {
  const bytes = readFileSync(path);
  return (await parquetReadObjects({
    file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  })) as Row[];
}

const num = (v: Row[string]) => (typeof v === "bigint" ? Number(v) : v);

// A shop with drops (a small queue, a lossy link) and a CRAC, 3 s in 500 ms intervals; two seeds make a sweep.
function shop(seed: number) {
  const s = twoGroupShop({ name: "parquet-shop", durationS: 3, seed, crawlersPerS: 500, crawlerLinkLoss: 0.02 });
  return {
    ...s,
    actors: [
      ...s.actors.map((a) => (a.id === "web" ? { ...a, labels: { zone: "z1" } } : a)),
      { id: "crac", kind: "crac", zone: "z1", unit_capacity_w: 500 },
    ],
  };
}

async function run(seed: number, runId: string): Promise<string> {
  const out = join(dir.path, runId);
  const { scenario } = loadScenarioText(stringify(shop(seed)), "shop.yaml");
  await runTwin({ scenario, hosts: 1, transport: "inproc", runId, outDir: out });
  return out;
}

test("results parquet - tables read back to their CSVs and to the run's CSVs; explicit zero rows", async () => {
  const out = await run(3, "pq-a");
  for (const name of TABLES) {
    const pq = await readParquet(join(out, "tables", `${name}.parquet`));
    const csv = readCsv(join(out, "tables", `${name}.csv`));
    assert.equal(pq.length, csv.length, `${name}: rows`);
    assert.ok(pq.length > 0);
    pq.forEach((row, i) => {
      assert.deepEqual(Object.keys(row), Object.keys(csv[i]!), `${name}: columns`);
      for (const [k, v] of Object.entries(row)) assert.equal(num(v), csv[i]![k], `${name} row ${i} ${k}`);
      assert.equal(row.run_id, "pq-a");
      assert.equal(row.scenario, "parquet-shop");
    });
  }
  const intervals = 6;
  // Link traffic: every direction in every interval, and the same totals as links.csv (non-zero rows only there).
  const links = await readParquet(join(out, "tables", "links.parquet"));
  assert.equal(links.length, intervals * 2 * 2);
  const linksCsv = readCsv(join(out, "links.csv"));
  assert.equal(
    links.reduce((s, r) => s + Number(r.packets), 0),
    linksCsv.reduce((s, r) => s + (r.packets as number), 0),
  );
  assert.equal(
    links.reduce((s, r) => s + Number(r.bytes), 0),
    linksCsv.reduce((s, r) => s + (r.bytes as number), 0),
  );
  // Drops: one row per reason and interval, zeros included; the reason has its own column.
  const drops = await readParquet(join(out, "tables", "drops.parquet"));
  const reasons = new Set(drops.map((r) => r.reason));
  assert.ok(
    reasons.size >= 2 && drops.length === intervals * reasons.size,
    `${drops.length} rows for ${reasons.size} reasons`,
  );
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  for (const reason of reasons)
    assert.equal(
      drops.filter((r) => r.reason === reason).reduce((s, r) => s + Number(r.packets), 0),
      summary.packets.dropped_by_reason[reason as string],
    );
  // Metrics in base units: response time in seconds (timeseries.csv's response_time_s), the CRAC inlet in °C.
  const metrics = await readParquet(join(out, "tables", "metrics.parquet"));
  const rt = metrics.filter((r) => r.metric === "response_time" && r.group === "shoppers");
  const rtCsv = readCsv(join(out, "timeseries.csv")).filter(
    (r) => r.metric === "response_time_s" && r.group === "shoppers",
  );
  assert.equal(rt.length, intervals);
  assert.deepEqual(
    rt.map((r) => [Number(r.count), r.mean, r.p99]),
    rtCsv.map((r) => [r.count, r.mean, r.p99]),
  );
  assert.ok(rt.every((r) => r.unit === "seconds"));
  const inlet = metrics.filter((r) => r.metric === "crac_inlet_temperature");
  // (The CRAC reads the inlet at time 0 and whenever the coordinator hands it heat: not in interval 1.)
  const readings = inlet.filter((r) => Number(r.count) > 0);
  assert.ok(
    inlet.length === intervals && inlet.every((r) => r.unit === "celsius" && r.sum === null),
    "one row per interval, a gauge has no sum",
  );
  assert.ok(
    readings.length >= 4 && readings.every((r) => (r.mean as number) >= 18 && (r.mean as number) < 30),
    `readings in °C: ${readings.map((r) => r.mean).join(" ")}`,
  );
  assert.ok(
    inlet.filter((r) => Number(r.count) === 0).every((r) => r.mean === null),
    "no reading: no mean (not 0)",
  );
  // The ledger: the same interval snapshots as thermo.csv (ledgers/snapshot.ts), so the same numbers to the bit;
  // summed, the summary's.
  const ledger = await readParquet(join(out, "tables", "ledger.parquet"));
  const thermo = readCsv(join(out, "thermo.csv"));
  assert.equal(ledger.length, thermo.length);
  ledger.forEach((r, i) => {
    for (const column of ["it_energy_j", "cooling_energy_j", "distribution_loss_j", "pue", "bits_erased"])
      assert.equal(num(r[column] ?? null), thermo[i]![column], `interval ${i}: ${column}`);
    assert.equal(r.packet_sigma_kb_per_s, thermo[i]!.packet_sigma_kb_per_s, `interval ${i}: σ`);
  });
  const actors = await readParquet(join(out, "tables", "actors.parquet"));
  const energy = actors.reduce((s, r) => s + (r.energy_j as number), 0);
  assert.ok(Math.abs(energy - summary.thermodynamics.heat.energy_j) <= 1e-9 * energy);
  assert.ok(
    actors.some((r) => r.actor === "crac" && r.zone === "z1" && r.energy_j === 0),
    "explicit zero rows (the CRAC before heat reaches it)",
  );
  // The server's inlet temperature: the zone's CRAC reading of the interval (as the metrics table's gauge).
  const webInlet = actors.filter((r) => r.actor === "web").map((r) => r.inlet_temperature_c);
  assert.deepEqual(
    webInlet,
    inlet.map((r) => r.mean),
  );
});

test("results parquet - a two-run sweep concatenates by run_id; dctwin export --parquet rebuilds the tables", async () => {
  const a = join(dir.path, "pq-a");
  const b = await run(4, "pq-b");
  const rows = [
    ...(await readParquet(join(a, "tables", "metrics.parquet"))),
    ...(await readParquet(join(b, "tables", "metrics.parquet"))),
  ];
  const byRun = new Map<string, number>();
  for (const r of rows.filter((x) => x.metric === "requests_sent"))
    byRun.set(r.run_id as string, (byRun.get(r.run_id as string) ?? 0) + Number(r.sum));
  const sent = (out: string) => {
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).metrics.requests_sent;
    return s.shoppers.sum + s.crawlers.sum;
  };
  assert.deepEqual([...byRun.keys()].sort(), ["pq-a", "pq-b"]);
  assert.equal(byRun.get("pq-a"), sent(a));
  assert.equal(byRun.get("pq-b"), sent(b));
  assert.notEqual(sent(a), sent(b), "two seeds, two runs");

  // The run builds its tables from intervals.jsonl's records as it writes the file; export reads the file back.
  const names = readdirSync(join(b, "tables")).sort();
  assert.equal(names.length, 14, names.join(", "));
  const before = names.map((name) => readFileSync(join(b, "tables", name)));
  rmSync(join(b, "tables"), { recursive: true });
  const r = await runCli(["export", "--parquet", b]);
  assert.equal(r.code, 0, r.stderr);
  names.forEach((name, i) =>
    assert.deepEqual(readFileSync(join(b, "tables", name)), before[i], `${name}: the same bytes from intervals.jsonl`),
  );
});
