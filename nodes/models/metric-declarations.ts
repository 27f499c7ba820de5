/**
 * What the metrics a model records (`ctx.record(name, value)`) mean: their type, base unit and the factor from the
 * recorded value to that unit. Exporters (Prometheus, WatchMetrics, tables) read these declarations instead of
 * guessing from name suffixes, so a level (records held by a store) is a gauge and a reading in millikelvin is a
 * temperature, not a counter of millikelvins.
 *
 * - histogram: a distribution of observations (durations, sizes); exported with buckets, sum and count.
 * - counter:   events (the recorded values are summed; models record events as 1).
 * - gauge:     a level read now and then; exported as the mean of the observations of the last interval that had
 *              any (so a gauge holds its value between readings).
 */

export type MetricType = "histogram" | "counter" | "gauge";

/** Base units (Prometheus naming): the family name ends with the unit (counters add `_total`). */
export type MetricUnit = "seconds" | "bytes" | "joules" | "celsius" | "requests" | "records" | "events";

export interface MetricDeclaration {
  type: MetricType;
  /** The family's base name, without unit (e.g. response_time). */
  name: string;
  unit: MetricUnit;
  /** value in base unit = (recorded value + offset) * scale; the offset is in the recorded unit (exact for integers). */
  scale: number;
  offset?: number;
  help: string;
}

const seconds = (name: string, help: string): MetricDeclaration => ({
  type: "histogram",
  name,
  unit: "seconds",
  scale: 1e-9,
  help,
});
const events = (name: string, help: string): MetricDeclaration => ({
  type: "counter",
  name,
  unit: "events",
  scale: 1,
  help,
});

/**
 * Work lost to a failure (lost-work.ts): each piece's energy and core time, recorded by the actor whose work it
 * was. The charges never overlap, so the sum over the family is the energy of all the work lost.
 */
const LOST_WORK = {
  wasted_energy_uj: {
    type: "histogram",
    name: "wasted_energy",
    unit: "joules",
    scale: 1e-6,
    help: "Energy spent on each piece of work lost to a failure (a request in service on a server or a component, a training job's steps since its checkpoint), in joules",
  },
  lost_core_ns: seconds(
    "lost_core",
    "Core time of each request a server or component lost in service, in simulated seconds",
  ),
} satisfies Record<string, MetricDeclaration>;

const QUEUE_WAIT = seconds(
  "queue_wait",
  "Time requests waited in a queue before a core (or GPU) took them, in simulated seconds",
);

/** Per actor kind: the metrics its model records, by recorded name. */
export const MODEL_METRICS: Readonly<Record<string, Readonly<Record<string, MetricDeclaration>>>> = {
  client: {
    response_time_ns: seconds(
      "response_time",
      "Response time of requests, from sending to receiving the response, recorded by clients, in simulated seconds",
    ),
    requests_sent: {
      type: "counter",
      name: "requests_sent",
      unit: "requests",
      scale: 1,
      help: "Requests sent by clients",
    },
    timeouts: events("timeouts", "Requests that timed out before their response arrived"),
    late_responses: events("late_responses", "Responses that arrived after their request had timed out"),
    slo_misses: events("slo_misses", "Requests that missed the service-level objective (slower than it, or timed out)"),
    retries: events("retries", "Requests a client sent again after a timeout"),
    abandoned: events("abandoned", "Requests a client gave up on after its last retry timed out"),
  },
  server: {
    queue_wait_ns: QUEUE_WAIT,
    busy_core_ns: seconds("busy_core", "Service time of requests on a CPU core, in simulated seconds"),
    busy_gpu_ns: seconds("busy_gpu", "Service time of requests on a GPU, in simulated seconds"),
    thermal_throttles: events(
      "thermal_throttles",
      "Times a server throttled because its inlet temperature passed its limit",
    ),
    power_cap_unmet: events(
      "power_cap_unmet",
      "Times a server's power cap could not be met even in its slowest P-state",
    ),
    ...LOST_WORK,
  },
  ml_inference: {
    queue_wait_ns: QUEUE_WAIT,
    busy_gpu_ns: seconds("busy_gpu", "Service time of requests on a GPU, in simulated seconds"),
    batch_size: {
      type: "histogram",
      name: "batch_size",
      unit: "requests",
      scale: 1,
      help: "Requests per inference batch",
    },
  },
  ml_training: {
    step_time_ns: seconds("step_time", "Duration of a training step (compute and all-reduce), in simulated seconds"),
    allreduce_ns: seconds("allreduce", "All-reduce part of a training step, in simulated seconds"),
    step_energy_uj: {
      type: "histogram",
      name: "step_energy",
      unit: "joules",
      scale: 1e-6,
      help: "GPU energy of a training step, in joules",
    },
    wasted_energy_uj: LOST_WORK.wasted_energy_uj,
    lost_training_ns: seconds(
      "lost_training",
      "Training time a worker lost to a failure: since the checkpoint (or restart, or start) its job went back from, in simulated seconds",
    ),
    restarts: events("restarts", "Times a training worker restarted its job from its last checkpoint after a crash"),
  },
  crac: {
    inlet_temp_mk: {
      type: "gauge",
      name: "crac_inlet_temperature",
      unit: "celsius",
      scale: 1e-3,
      offset: -273_150,
      help: "Inlet (cold-aisle) temperature of the zone a CRAC cools, read at every metrics-interval boundary, in degrees Celsius",
    },
  },
  service: {
    queue_wait_ns: QUEUE_WAIT,
    service_time_ns: seconds("service_time", "Time a software component spent serving a request, in simulated seconds"),
    ...LOST_WORK,
  },
  store: {
    queue_wait_ns: QUEUE_WAIT,
    service_time_ns: seconds("service_time", "Time a software component spent serving a request, in simulated seconds"),
    store_reads: events("store_reads", "Reads served by stores"),
    store_writes: events("store_writes", "Writes served by stores"),
    store_records: { type: "gauge", name: "store_held", unit: "records", scale: 1, help: "Records a store holds" },
    store_bytes: { type: "gauge", name: "store_held", unit: "bytes", scale: 1, help: "Bytes a store holds" },
    ...LOST_WORK,
  },
};

/**
 * Every declared metric by recorded name. A name recorded by several kinds must mean the same thing in each
 * (checked here, at load: a mismatch is a programming error).
 */
const declared = new Map<string, MetricDeclaration>();
export const METRIC_DECLARATIONS: ReadonlyMap<string, MetricDeclaration> = declared;

/** Adds a kind's declarations (the built-in kinds at load; a kind registered later: registry.ts registerKind). */
export function declareMetrics(kind: string, metrics: Readonly<Record<string, MetricDeclaration>>): void {
  for (const [recorded, d] of Object.entries(metrics)) {
    const seen = declared.get(recorded);
    if (seen !== undefined && JSON.stringify(seen) !== JSON.stringify(d))
      throw new Error(`metric ${recorded} of kind ${kind} is declared differently by another kind`);
    declared.set(recorded, d);
  }
}

for (const [kind, metrics] of Object.entries(MODEL_METRICS)) declareMetrics(kind, metrics);

/** The declaration of a recorded metric; an undeclared one is a counter of its summed values (unit: events). */
export function metricDeclaration(recorded: string): MetricDeclaration {
  return (
    METRIC_DECLARATIONS.get(recorded) ?? {
      type: "counter",
      name: recorded.replace(/[^a-zA-Z0-9_]/g, "_").replace(/_total$/, ""),
      unit: "events",
      scale: 1,
      help: `Sum of the values recorded as ${recorded} (undeclared)`,
    }
  );
}

/** A recorded value (or the mean of several) in the declaration's base unit. */
export function toBaseUnit(d: MetricDeclaration, value: number): number {
  return scaled(d, value + (d.offset ?? 0));
}

/** A sum of recorded values in the base unit (no offset: a sum of temperatures has none). */
export function sumToBaseUnit(d: MetricDeclaration, sum: number): number {
  return scaled(d, sum);
}

/**
 * Scales by dividing when the factor is a reciprocal (1e-9 for ns → s), as summary.json and timeseries.csv do:
 * 30e9 / 1e9 is exactly 30, 30e9 × 1e-9 is not.
 */
function scaled(d: MetricDeclaration, value: number): number {
  return d.scale < 1 ? value / Math.round(1 / d.scale) : value * d.scale;
}
