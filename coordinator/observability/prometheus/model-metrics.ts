/**
 * Prometheus families for the metrics the models record (`ctx.record(name, value)`), from their declarations
 * (nodes/models/metric-declarations.ts: type, base unit, scale), one family per scope:
 * - histogram `dctwin_<name>_<unit>` (run total) and `dctwin_group_<name>_<unit>{group}`;
 * - counter   `dctwin_<name>_total` (counts of events, requests, records) or `dctwin_<name>_<unit>_total`;
 * - gauge     `dctwin_group_<name>_<unit>{group}` only (a sum of levels over groups means nothing; at level total
 *             `dctwin_<name>_<unit>`, the mean of all readings).
 */
import { metricDeclaration, type MetricDeclaration } from "../../../nodes/models/metric-declarations.ts";
import { scopedName, type Scope } from "../levels.ts";
import { BYTES_BUCKETS, COUNT_BUCKETS, JOULES_BUCKETS, SECONDS_BUCKETS } from "./buckets.ts";

export interface ModelMetricFamily {
  /** Prometheus family name at a scope (a counter's includes `_total`). */
  family(scope: Scope): string;
  declaration: MetricDeclaration;
  buckets: number[];
  help: string;
}

const DIMENSIONLESS = new Set(["events", "requests", "records"]);

function bucketsFor(unit: string): number[] {
  if (unit === "seconds") return SECONDS_BUCKETS;
  if (unit === "bytes") return BYTES_BUCKETS;
  if (unit === "joules") return JOULES_BUCKETS;
  return COUNT_BUCKETS;
}

/** `reserved`: family names already taken by the run's own metrics (a model metric never shadows one). */
export function modelMetricFamily(recorded: string, reserved: ReadonlySet<string>): ModelMetricFamily {
  const d = metricDeclaration(recorded);
  const base =
    d.type === "counter"
      ? DIMENSIONLESS.has(d.unit)
        ? `${d.name}_total`
        : `${d.name}_${d.unit}_total`
      : `${d.name}_${d.unit}`;
  const family = (scope: Scope) => {
    const name = scopedName(scope, base);
    return reserved.has(name) ? name.replace(/^dctwin_/, "dctwin_model_") : name;
  };
  const since =
    d.type === "gauge" ? "mean of the readings of the last metrics interval that had any" : "since the run started";
  return {
    family,
    declaration: d,
    buckets: d.type === "histogram" ? bucketsFor(d.unit) : [],
    help: `${d.help} (${since}).`,
  };
}
