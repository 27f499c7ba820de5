/**
 * The results directory of a run that ended early (interrupted, failed): no hidden part files are left
 * (RUN_DIR/.streaming/), and the streamed files are whole and end where summary.json says the run ended.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Returns the number of intervals the partial results hold. */
export function assertCleanPartialResults(out: string): number {
  assert.ok(!existsSync(join(out, ".streaming")), `${out}/.streaming is left behind`);
  const simNs = Math.round(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).sim_time_s * 1e9);
  const [header, ...intervals] = lines(out, "intervals.jsonl").map((line) => JSON.parse(line));
  assert.equal(header.sim_time_ns, simNs, "intervals.jsonl's header holds where the run ended");
  const n = Math.ceil(simNs / header.interval_ns);
  assert.deepEqual(
    intervals.map((i) => i.index),
    Array.from({ length: n }, (_, i) => i),
    "one line per interval up to the end, in order",
  );
  if (n > 0) assert.equal(intervals.at(-1).end_ns, simNs);
  for (const name of ["timeseries.csv", "links.csv", "thermo.csv"]) {
    const [head, ...rows] = lines(out, name);
    const columns = head!.split(",").length;
    for (const row of rows) assert.equal(row.split(",").length, columns, `${name}: a whole row: ${row}`);
    // Rows are of intervals the run reached (a failed run's last one, which its hosts had not closed, has no
    // metric or link rows: docs/summary.md; timeseries and links give an interval's nominal end).
    for (const row of rows) assert.ok(Number(row.split(",")[0]) < simNs / 1e9, `${name}: ${row} after the end`);
    if (n === 0) assert.deepEqual(rows, [], `${name}: its header only`);
  }
  const thermo = lines(out, "thermo.csv");
  assert.equal(thermo.length, 1 + n, "thermo.csv: a row per interval");
  if (n > 0) assert.equal(Number(thermo.at(-1)!.split(",")[1]), simNs / 1e9, "thermo.csv ends where the run ended");
  return n;
}

/** The file's lines; it must end with a newline (no line cut short). */
function lines(out: string, name: string): string[] {
  const text = readFileSync(join(out, name), "utf8");
  assert.ok(text.endsWith("\n"), `${name} ends with a whole line`);
  return text.slice(0, -1).split("\n");
}
