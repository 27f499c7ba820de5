/**
 * Steady-state check conditions in k6's threshold style ("response_time_s p(99) < 50ms",
 * "dropped_packets{link_down} count > 0"): parsed here, evaluated by the coordinator (coordinator/control/checks.ts).
 */

export type Stat = { kind: "mean" | "min" | "max" | "count" | "rate" | "sum" } | { kind: "quantile"; q: number };
export type Op = "<" | "<=" | ">" | ">=" | "==" | "!=";

export interface Threshold {
  text: string;
  metric: string;
  /** null: every group (or drop reason). */
  group: string | null;
  stat: Stat;
  op: Op;
  value: number;
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  min: 60,
  h: 3600,
};
const THRESHOLD =
  /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\{([^}]*)\})?\s+([A-Za-z]+(?:\(\s*[0-9.]+\s*\))?|p[0-9.]+)\s*(<=|>=|==|!=|<|>)\s*(-?[0-9.]+(?:e[+-]?\d+)?)\s*([a-zµ%]*)\s*$/i;

/** Parses "metric{group} stat op value[unit]"; throws a message naming what is wrong. */
export function parseThreshold(text: string): Threshold {
  const m = THRESHOLD.exec(text);
  if (m === null)
    throw new Error(
      `expected "<metric>[{group}] <stat> <op> <value>", e.g. "response_time_s p(99) < 50ms" (got ${JSON.stringify(text)})`,
    );
  const [, metric, group, statText, op, number, unit] = m;
  const stat = parseStat(statText!);
  let value = Number(number);
  if (unit) {
    const factor = metric!.endsWith("_s") ? DURATION_UNITS[unit] : unit === "%" ? 0.01 : undefined;
    if (factor === undefined)
      throw new Error(`unit "${unit}" does not fit ${metric} (durations only for *_s metrics, % for ratios)`);
    value *= factor;
  }
  return {
    text: text.trim(),
    metric: metric!,
    group: group === undefined || group === "" ? null : group,
    stat,
    op: op as Op,
    value,
  };
}

function parseStat(text: string): Stat {
  const t = text.toLowerCase().replace(/\s+/g, "");
  const q = /^p\(?([0-9.]+)\)?$/.exec(t);
  if (q !== null) {
    const p = Number(q[1]);
    if (!(p > 0 && p < 100)) throw new Error(`percentile ${q[1]} must be between 0 and 100`);
    return { kind: "quantile", q: p / 100 };
  }
  switch (t) {
    case "avg":
    case "mean":
      return { kind: "mean" };
    case "med":
      return { kind: "quantile", q: 0.5 };
    case "min":
    case "max":
    case "count":
    case "rate":
    case "sum":
      return { kind: t };
    default:
      throw new Error(`unknown statistic "${text}"; expected avg, min, max, med, p(N), count, rate or sum`);
  }
}
