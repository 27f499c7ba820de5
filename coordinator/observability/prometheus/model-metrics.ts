/**
 * Prometheus families for the metrics the models record (`ctx.record(name, value)`), named by a rule:
 * - `<x>_ns`    -> histogram `dctwin_<x>_seconds` (values in seconds);
 * - `<x>_bytes` -> histogram `dctwin_<x>_bytes`;
 * - any other   -> counter `dctwin_<x>_total` (the sum of the recorded values: models record events as 1s).
 */
import { BYTES_BUCKETS, SECONDS_BUCKETS } from "./buckets.ts";

export interface ModelMetricFamily {
  /** Prometheus family name (a counter's includes `_total`). */
  family: string;
  kind: "histogram" | "counter";
  /** Converts recorded values into the family's base unit. */
  scale: number;
  buckets: number[];
  help: string;
}

/** What the models' metrics mean, by base name (without the unit suffix). */
const DESCRIPTIONS: Record<string, string> = {
  response_time: "Response time of requests, from sending to receiving the response, recorded by clients",
  queue_wait: "Time requests waited in a server's queue before a core (or GPU) took them",
  busy_core: "Service time of requests on a CPU core",
  busy_gpu: "Service time of requests on a GPU",
  requests_sent: "Requests sent by clients",
  timeouts: "Requests that timed out before their response arrived",
  late_responses: "Responses that arrived after their request had timed out",
  slo_misses: "Requests that missed the service-level objective (slower than it, or timed out)",
};

function sanitize(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[a-zA-Z_]/.test(s) ? s : `_${s}`;
}

/** `reserved`: family names already taken by the run's own metrics (a model metric never shadows one). */
export function modelMetricFamily(name: string, reserved: ReadonlySet<string>): ModelMetricFamily {
  const clean = sanitize(name);
  const prefix = (family: string) => (reserved.has(family) ? family.replace(/^dctwin_/, "dctwin_model_") : family);
  if (clean.endsWith("_ns")) {
    const base = clean.slice(0, -3);
    const about = DESCRIPTIONS[base] ?? `Model metric ${name}`;
    return { family: prefix(`dctwin_${base}_seconds`), kind: "histogram", scale: 1e-9, buckets: SECONDS_BUCKETS, help: `${about}, in simulated seconds, since the run started.` };
  }
  if (clean.endsWith("_bytes")) {
    const base = clean.slice(0, -6);
    const about = DESCRIPTIONS[base] ?? `Model metric ${name}`;
    return { family: prefix(`dctwin_${base}_bytes`), kind: "histogram", scale: 1, buckets: BYTES_BUCKETS, help: `${about}, in bytes, since the run started.` };
  }
  const base = clean.replace(/_total$/, "");
  const about = DESCRIPTIONS[base] ?? `Sum of the values of model metric ${name}`;
  return { family: prefix(`dctwin_${base}_total`), kind: "counter", scale: 1, buckets: [], help: `${about}, since the run started.` };
}
