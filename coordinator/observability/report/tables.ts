/**
 * The report's tables: headline figures picked from summary.json and run-info.json, then every summary section
 * rendered generically (nested objects flattened to dotted keys, lists of records as tables), so sections added
 * to the summary later (e.g. more of the thermodynamics) appear without changes here.
 */
import type { Json, ReportData } from "./load.ts";

export interface Row {
  label: string;
  value: string;
}

export interface Section {
  title: string;
  /** Key/value rows of the section's scalars. */
  rows: Row[];
  /** Lists of records (e.g. link_traffic), as tables. */
  tables: { title: string; columns: string[]; rows: string[][]; more: number }[];
}

const MAX_TABLE_ROWS = 50;

export function formatValue(v: Json | undefined): string {
  if (v === undefined || v === null) return "–";
  if (typeof v === "number") {
    if (Number.isInteger(v)) return v.toLocaleString("en-US");
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(4) : v.toPrecision(6).replace(/\.?0+$/, "");
  }
  if (typeof v === "string" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function get(o: Json | undefined, path: string): Json | undefined {
  let cur: Json | undefined = o;
  for (const k of path.split("."))
    cur = cur !== null && typeof cur === "object" && !Array.isArray(cur) ? cur[k] : undefined;
  return cur;
}

export function headlineRows(data: ReportData): Row[] {
  const s = data.summary;
  const rows: Row[] = [];
  const add = (label: string, v: Json | undefined, unit = "") => {
    if (v !== undefined && v !== null) rows.push({ label, value: `${formatValue(v)}${unit === "" ? "" : ` ${unit}`}` });
  };
  add("scenario", s.scenario);
  add("status", s.status);
  add("simulated time", s.sim_time_s, "s");
  add("actors / links", `${formatValue(s.actors)} / ${formatValue(s.links)}`);
  add("wall time", get(data.runInfo ?? undefined, "wall_time_s"), "s");
  add("speed", get(data.runInfo ?? undefined, "sim_seconds_per_wall_second"), "simulated s per wall s");
  add(
    "hosts",
    Array.isArray(get(data.runInfo ?? undefined, "hosts"))
      ? (get(data.runInfo ?? undefined, "hosts") as Json[]).length
      : undefined,
  );
  add("windows", get(data.runInfo ?? undefined, "windows"));
  add("events", s.events);
  add("packets injected", get(s, "packets.injected"));
  add("packets consumed", get(s, "packets.consumed"));
  add("packets dropped", get(s, "packets.dropped"));
  const rt = get(s, "metrics.response_time_s");
  if (rt !== undefined && rt !== null && typeof rt === "object" && !Array.isArray(rt)) {
    for (const [group, stats] of Object.entries(rt)) {
      add(`throughput (${group})`, throughput(s, stats), "responses/s");
      for (const q of ["mean", "p50", "p99"]) {
        const v = get(stats, q);
        if (typeof v !== "number") continue;
        const low = get(stats, "batch_means.ci95_low");
        const high = get(stats, "batch_means.ci95_high");
        const ci =
          q === "mean" && typeof low === "number" && typeof high === "number"
            ? ` (95% CI ${formatValue(low * 1000)} – ${formatValue(high * 1000)} ms)`
            : "";
        rows.push({ label: `response time ${q} (${group})`, value: `${formatValue(v * 1000)} ms${ci}` });
      }
    }
  }
  // No power model at all: say so rather than "0 J".
  const energy = get(s, "thermodynamics.heat.energy_j");
  if (energy === 0) rows.push({ label: "energy", value: "not modelled (no actor has a power model)" });
  else {
    add("energy", energy, "J");
    add("mean power", get(s, "thermodynamics.heat.mean_power_w"), "W");
  }
  add("PUE", get(s, "thermodynamics.heat.pue"));
  if (energy !== 0) add("heat entropy generation", get(s, "thermodynamics.heat.entropy_generation_w_per_k"), "W/K");
  const irreversible = get(s, "thermodynamics.irreversibility.irreversible_currents");
  const oneWay = Array.isArray(irreversible) ? irreversible.length : 0;
  // With one-way currents σ covers only the pairs seen both ways: say so beside the figure, with their lower bound.
  add(
    oneWay > 0 ? "packet entropy production σ (pairs seen both ways only)" : "packet entropy production σ",
    get(s, "thermodynamics.irreversibility.sigma_kb_per_s"),
    "k_B/s",
  );
  if (oneWay > 0) {
    rows.push({
      label: "irreversible currents",
      value: `${oneWay} mechanism(s) never seen in reverse: σ unbounded in this model`,
    });
    add(
      "their σ, 95% lower bound (grows with run length)",
      get(s, "thermodynamics.irreversibility.irreversible_sigma_lower_bound_kb_per_s"),
      "k_B/s",
    );
  }
  add("carbon", get(s, "carbon.total_g"), "gCO2e");
  add("carbon per request", get(s, "carbon.per_request_g"), "gCO2e");
  return rows;
}

/**
 * Responses per simulated second over the window the metrics' counts cover, after the warm-up (summaries written
 * before `measured_from_s` existed: from the warm-up's end).
 */
function throughput(s: Record<string, Json>, stats: Json): number | null {
  const from = get(s, "measured_from_s") ?? get(s, "settings.warmup_s") ?? 0;
  const count = get(stats, "count");
  if (typeof s.sim_time_s !== "number" || typeof from !== "number" || typeof count !== "number") return null;
  return s.sim_time_s > from ? count / (s.sim_time_s - from) : null;
}

/** Every object-valued top-level section of summary.json, flattened. */
export function summarySections(summary: Record<string, Json>): Section[] {
  const sections: Section[] = [];
  const scalars: Row[] = [];
  for (const [key, value] of Object.entries(summary)) {
    if (value !== null && typeof value === "object") sections.push(section(key, value));
    else scalars.push({ label: key, value: formatValue(value) });
  }
  return [{ title: "run", rows: scalars, tables: [] }, ...sections];
}

function section(title: string, value: Json): Section {
  const out: Section = { title, rows: [], tables: [] };
  const walk = (prefix: string, v: Json) => {
    if (Array.isArray(v)) {
      if (v.every((e) => e !== null && typeof e === "object" && !Array.isArray(e))) {
        const records = v.map((e) => flatten(e));
        const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
        out.tables.push({
          title: prefix || title,
          columns,
          rows: records.slice(0, MAX_TABLE_ROWS).map((r) => columns.map((c) => formatValue(r[c]))),
          more: Math.max(0, records.length - MAX_TABLE_ROWS),
        });
      } else
        out.rows.push({
          label: prefix,
          value: v.length > 20 ? `${v.length} values` : v.map((e) => formatValue(e)).join(", "),
        });
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v);
      if (entries.length === 0) out.rows.push({ label: prefix, value: "–" });
      for (const [k, child] of entries) walk(prefix === "" ? k : `${prefix}.${k}`, child);
    } else out.rows.push({ label: prefix, value: formatValue(v) });
  };
  walk("", value);
  return out;
}

function flatten(v: Json, prefix = "", out: Record<string, Json> = {}): Record<string, Json> {
  if (v !== null && typeof v === "object" && !Array.isArray(v))
    for (const [k, child] of Object.entries(v)) flatten(child, prefix === "" ? k : `${prefix}.${k}`, out);
  else out[prefix] = Array.isArray(v) ? `${v.length} values` : v;
  return out;
}
