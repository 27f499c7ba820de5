/**
 * What checkpoints cost in memory and bytes: runs `dctwin run SCENARIO` (extra flags after the scenario) as a child
 * process and, until it exits, samples the coordinator's peak RSS (VmHWM of its process: with `--transport nats`
 * the hosts are other processes and not counted) and the size of RUN_DIR/checkpoint/ (a completed run removes it,
 * so the largest size seen while it ran is reported). Prints one JSON line.
 *
 *   node bench/checkpoint-footprint.ts OUT_DIR SCENARIO [dctwin run flags...]
 *
 * e.g. dc-100k with and without checkpoints (docs/performance.md has the figures):
 *   node bench/checkpoint-footprint.ts /tmp/on examples/dc-100k.yaml --transport inproc --duration 600ms \
 *     --checkpoint-every 1 --checkpoint-min-wall 0
 *   node bench/checkpoint-footprint.ts /tmp/off examples/dc-100k.yaml --transport inproc --duration 600ms \
 *     --checkpoint-every 0
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const [outDir, scenario, ...flags] = process.argv.slice(2);
if (outDir === undefined || scenario === undefined)
  throw new Error("usage: bench/checkpoint-footprint.ts OUT_DIR SCENARIO [dctwin run flags...]");
const cli = fileURLToPath(new URL("../cli/dctwin.ts", import.meta.url));
const started = performance.now();
const child = spawn(process.execPath, [cli, "run", scenario, "--out", outDir, "-q", ...flags], {
  stdio: ["ignore", "inherit", "inherit"],
});

let peakRssKiB = 0;
let checkpointBytes = 0;
const files = new Map<string, number>();
const sample = () => {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
    if (hwm !== null) peakRssKiB = Math.max(peakRssKiB, Number(hwm[1]));
  } catch {
    // the process just ended
  }
  const dir = join(outDir, "checkpoint");
  if (!existsSync(dir)) return;
  try {
    let total = 0;
    for (const name of readdirSync(dir)) {
      const size = statSync(join(dir, name)).size;
      total += size;
      files.set(name, Math.max(files.get(name) ?? 0, size));
    }
    checkpointBytes = Math.max(checkpointBytes, total);
  } catch {
    // swapped for a newer checkpoint while we looked
  }
};
const timer = setInterval(sample, 100);
const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
clearInterval(timer);
const info = existsSync(join(outDir, "run-info.json"))
  ? (JSON.parse(readFileSync(join(outDir, "run-info.json"), "utf8")) as { checkpoints?: unknown })
  : {};
console.log(
  JSON.stringify({
    scenario,
    flags: flags.join(" "),
    exit_code: code,
    wall_s: Math.round((performance.now() - started) / 100) / 10,
    coordinator_peak_rss_mib: Math.round(peakRssKiB / 1024),
    checkpoint_bytes: checkpointBytes,
    checkpoint_files: Object.fromEntries(files),
    checkpoints: info.checkpoints ?? null,
  }),
);
