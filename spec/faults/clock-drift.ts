/**
 * `clock-drift`: the actors' own clocks run at 1 + ppm·10⁻⁶ of simulated time (nodes/runtime/clock-drift.ts);
 * clearing sets them right.
 */
import { z } from "zod";
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { FaultAction } from "../requests.ts";
import { defineFaultAction } from "./define.ts";

export interface ClockDriftAction extends FaultAction {
  type: "clock-drift";
  ppm: number;
}

export const clockDrift = defineFaultAction<ClockDriftAction, dctwin.v1.ClockDrift.$Properties>({
  type: "clock-drift",
  summary: "the actors' clocks run fast (or slow) by some ppm",
  fields: { drift_ppm: z.number({ error: "expected a drift in ppm, e.g. 50 or -20" }) },
  build(f, at, issues) {
    if (f.drift_ppm === undefined)
      issues.push({ path: at("drift_ppm"), message: "required: how many ppm the clocks run fast (negative: slow)" });
    return { type: "clock-drift", ppm: (f.drift_ppm as number) ?? 0 };
  },
  toFields: (a) => ({ drift_ppm: a.ppm }),
  flags: [
    {
      name: "drift-ppm",
      value: "ppm",
      field: "drift_ppm",
      help: "clock-drift: parts per million the actors' clocks run fast (negative: slow)",
    },
  ],
  proto: {
    case: "clockDrift",
    paths: { drift_ppm: "clock_drift.ppm" },
    from: (m) => ({ type: "clock-drift", ppm: m.ppm ?? 0 }),
    to: (a) => ({ ppm: a.ppm }),
  },
});
