/**
 * The scenario file's schema (YAML → plain data). Actor entries are checked in two steps: the common fields
 * here, then the fields of the actor's kind against that model's own parameter schema (nodes/models/registry.ts).
 */
import { z } from "zod";
import { topologySchema } from "./topology/schema.ts";
import { bandwidth, duration } from "../spec/units.ts";
import { MIN_METRICS_INTERVAL_NS } from "../spec/limits.ts";
import { linkPowerSchema } from "./topology/link-power.ts";
import { carbonSchema } from "./carbon.ts";
import { selectorSchema } from "../spec/faults/fields.ts";

/** Ids become NATS subject tokens (`dct.<run>.actor.<id>.*`), so no dots, spaces or wildcards. */
export const ACTOR_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const idMessage = "expected an id of letters, digits, '-' and '_' (it becomes a NATS subject token)";
const actorId = z.string({ error: idMessage }).regex(ACTOR_ID, { error: idMessage });

const fraction = (what: string) =>
  z
    .number({ error: `expected ${what}` })
    .gt(0, { error: `expected ${what}` })
    .lt(1, { error: `expected ${what}` });

/** Leap mode's accuracy knobs (scenario/leap-settings.ts resolves them; docs/leap.md explains them). */
export const leapSchema = z
  .object({
    /** Step length: "auto" picks it from epsilon, the load curves, the metrics interval and the run's length. */
    step: z
      .union([z.literal("auto"), duration()], { error: 'expected "auto" or a positive duration like "100ms"' })
      .default("auto"),
    /** Largest relative change of an arrival rate within one step (τ selection, Cao–Gillespie–Petzold 2006). */
    epsilon: fraction("a fraction between 0 and 1, e.g. 0.01").default(0.01),
    /** A queue is fast (quasi-steady) when the step is at least this many of its relaxation times. */
    fast_ratio: z
      .number({ error: "expected a ratio of at least 1" })
      .min(1, { error: "expected a ratio of at least 1" })
      .finite()
      .default(10),
    /** Sojourn samples a quasi-steady queue draws per packet (count) and step: the response-time histogram's resolution. */
    samples: z
      .number({ error: "expected a whole number from 1 to 1000" })
      .int({ error: "expected a whole number from 1 to 1000" })
      .min(1, { error: "expected a whole number from 1 to 1000" })
      .max(1000, { error: "expected a whole number from 1 to 1000" })
      .default(2),
    /**
     * Hybrid runs: actors that keep their exact models while the rest leaps (a selector as experiments write it;
     * whole servers fed by clients and balancers: scenario/leap-hybrid.ts, docs/leap.md).
     */
    exact: selectorSchema.optional(),
  })
  .strict();

/** A warm-up given as a duration (run.warmup may also be "auto"). */
const warmupDuration = duration({ positive: false });

export const runSchema = z
  .object({
    duration: duration(),
    seed: z
      .number({ error: "expected a whole number from 0 to 2^53" })
      .int({ error: "expected a whole number from 0 to 2^53" })
      .nonnegative({ error: "expected a whole number from 0 to 2^53" })
      .default(1),
    /** "auto" (or at most the smallest link latency): exact deliveries, windows from the lookahead; larger: a fixed window grid that delays deliveries. */
    quantum: z
      .union([z.literal("auto"), duration()], { error: 'expected "auto" or a positive duration like "50us"' })
      .default("auto"),
    metrics_interval: duration()
      .refine((ns) => ns >= MIN_METRICS_INTERVAL_NS, { error: "expected a metrics interval of at least 1us" })
      .default(1_000_000_000),
    /** Leading stretch left out of the headline statistics (the queue fills from empty); auto: found by MSER-5. */
    warmup: z
      .unknown()
      .default(0)
      .transform((value, ctx): "auto" | number => {
        if (value === "auto") return "auto";
        // A duration's own message ("expected a non-negative duration ..."), which a union would hide.
        const parsed = warmupDuration.safeParse(value);
        if (parsed.success) return parsed.data;
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
        return z.NEVER;
      }),
    /** Share of request flows whose journeys are traced (OpenTelemetry; export configured by OTEL_* variables). */
    trace_sample_ratio: z
      .number({ error: "expected a ratio from 0 to 1" })
      .min(0, { error: "expected a ratio from 0 to 1" })
      .max(1, { error: "expected a ratio from 0 to 1" })
      .default(0),
    /** Temperature of the heat sink the facility dissipates into: sets P/T and the Landauer bound k_B·T·ln 2. */
    ambient_temperature_k: z
      .number({ error: "expected a temperature in kelvin" })
      .positive({ error: "expected a positive temperature in kelvin" })
      .default(300),
    /** Power-distribution losses (UPS, PDUs, cabling) as a share of the IT and cooling energy; counted in PUE. */
    distribution_loss: z
      .number({ error: "expected a fraction from 0 to 1" })
      .min(0, { error: "expected a fraction from 0 to 1" })
      .max(1, { error: "expected a fraction from 0 to 1" })
      .default(0),
    /** exact: every packet an event; leap: counts per step, queues in quasi-steady state (docs/leap.md). */
    mode: z.enum(["exact", "leap"], { error: 'expected "exact" or "leap"' }).default("exact"),
    /** Leap mode's settings (ignored in exact mode). */
    leap: leapSchema.prefault({}),
    /** Grid carbon intensity and embodied carbon (scenario/carbon.ts). */
    carbon: carbonSchema.optional(),
  })
  .strict();

export const actorCommonKeys = ["id", "kind", "group", "labels"] as const;

export const actorCommonSchema = z.looseObject({
  id: actorId,
  kind: z.string({ error: "expected an actor kind" }),
  group: z.string({ error: "expected a group name" }).regex(ACTOR_ID, { error: idMessage }).optional(),
  labels: z
    .record(z.string(), z.string({ error: "expected a string label value" }), {
      error: "expected a map of label names to strings",
    })
    .optional(),
});

export const linkSchema = z
  .object({
    id: actorId.optional(),
    a: z.string({ error: "expected the id of an actor" }),
    b: z.string({ error: "expected the id of an actor" }),
    latency: duration(),
    /** Omitted: unlimited (no serialization delay). */
    bandwidth: bandwidth().optional(),
    loss: z
      .number({ error: "expected a probability from 0 to 1" })
      .min(0, { error: "expected a probability from 0 to 1" })
      .max(1, { error: "expected a probability from 0 to 1" })
      .default(0),
    /** Port power at both ends (scenario/link-power.ts). */
    power: linkPowerSchema.optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: actorId.default("scenario"),
    description: z.string({ error: "expected text" }).optional(),
    run: runSchema,
    /** Generated servers, switches and links; `actors` and `links` add to them (or replace generated actors by id). */
    topology: topologySchema.optional(),
    /** At least one actor in all (checked after the topology is expanded). */
    actors: z.array(actorCommonSchema, { error: "expected a list of actors" }).default([]),
    links: z.array(linkSchema, { error: "expected a list of links" }).default([]),
    /** Faults, load changes and checks at simulated times: validated by scenario/experiment.ts once actors are known. */
    experiment: z.unknown().optional(),
  })
  .strict();

export type ScenarioFile = z.output<typeof scenarioSchema>;
