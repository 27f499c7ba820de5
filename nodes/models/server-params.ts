/**
 * What a server is configured with (its scenario parameters) and the commands it takes; server.ts describes the
 * model.
 */
import { z } from "zod";
import { count, duration, size, watts } from "../../spec/units.ts";
import { callsSchema } from "./downstream-calls.ts";
import { durationDistribution } from "./distributions.ts";
import { powerCurve } from "./power-curves.ts";
import { limitCommands, limitParams } from "./server-limits.ts";
import { lazy } from "../../spec/lazy.ts";

const SERVER_MODES = ["on", "off", "booting", "failed", "throttled"] as const;
/** Shutting down is entered only by power_off (never an initial state). */
export type ServerMode = (typeof SERVER_MODES)[number] | "shutting_down";

export const serverParams = lazy(() =>
  z
    .object({
      cores: count(1, "expected a positive whole number of cores").default(1),
      service: durationDistribution,
      /** fifo: a request waits for a free core; ps: all requests share the cores at once (processor sharing). */
      discipline: z.enum(["fifo", "ps"], { error: "expected fifo or ps" }).default("fifo"),
      /**
       * How components placed here get cores (host-cpu.ts): reserved at placement (concurrency × cpu each), or
       * dynamic: a component's request takes cores when they are free and waits in one FIFO line with the server's
       * own requests when they are not.
       */
      core_sharing: z.enum(["reserved", "dynamic"], { error: "expected reserved or dynamic" }).optional(),
      /** Requests that may wait (not counting those in service; with ps, those beyond `cores`); arrivals beyond it are dropped. */
      queue_limit: count(0, "expected a non-negative whole number").optional(),
      /** Response size when the request does not ask for one. */
      response_bytes: size().default(1000),
      power: powerCurve.optional(),
      gpus: z
        .object({
          count: count(1),
          idle_w: watts(),
          max_w: watts(),
          /** When set, requests are served on the GPUs (one each) instead of the cores. */
          service: durationDistribution.optional(),
        })
        .strict()
        .refine((g) => g.max_w >= g.idle_w, { error: "max_w must be at least idle_w", path: ["max_w"] })
        .optional(),
      /** Power-on (and repair) takes `time` at `power_w` before the server serves. */
      boot: z.object({ time: duration(), power_w: watts() }).strict().optional(),
      /** Power-off takes `time` at `power_w` (what it held is lost at once; arrivals are refused) before off. */
      shutdown: z.object({ time: duration(), power_w: watts() }).strict().optional(),
      /** Draw while off (standby: BMC, NIC wake-on-LAN), and while failed (a hung host still draws). */
      standby_w: watts().optional(),
      failed_w: watts().optional(),
      initial_state: z.enum(SERVER_MODES, { error: `expected one of ${SERVER_MODES.join(", ")}` }).default("on"),
      /** Speed when throttled, as a fraction of full speed (curves without P-states; DVFS throttles to the slowest). */
      throttle_speed: z
        .number({ error: "expected a fraction in (0, 1]" })
        .gt(0, { error: "expected a fraction in (0, 1]" })
        .max(1, { error: "expected a fraction in (0, 1]" })
        .default(0.5),
      calls: callsSchema,
      /** Charge requests in service their energy and record what is lost to failures (lost-work.ts). */
      account_lost_work: z.boolean({ error: "expected true or false" }).optional(),
      /** inlet_limit_c, inlet_hysteresis_k: thermal throttling (server-limits.ts). */
      ...limitParams,
    })
    .strict()
    .refine((p) => p.discipline === "fifo" || p.gpus?.service === undefined, {
      error: "processor sharing applies to cores, not to requests served on GPUs",
      path: ["discipline"],
    })
    .refine((p) => p.discipline === "fifo" || p.core_sharing !== "dynamic", {
      error: "dynamic core sharing needs the fifo discipline",
      path: ["core_sharing"],
    }),
);
export type ServerParams = z.output<typeof serverParams>;

/** Arguments of the server's own commands (the coordinator validates them). */
export const serverCommands = lazy(() => ({
  power_on: z.object({}).strict(),
  power_off: z.object({}).strict(),
  fail: z.object({}).strict(),
  repair: z.object({}).strict(),
  throttle: z.object({}).strict(),
  unthrottle: z.object({}).strict(),
  set_pstate: z.object({ index: count(0) }).strict(),
  /** set_inlet, set_power_cap, clear_power_cap (server-limits.ts). */
  ...limitCommands,
}));
