/** The WindowReport a host sends of a window it ran, and of the end of its run (host-agent.ts; peer-exchange.ts sends them). */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { IntervalData } from "./interval-data.ts";
import type { ShardCounters, WindowResult } from "./shard.ts";
import type { PlanStep } from "./window-plan.ts";
import { toWireInterval } from "./wire.ts";

type Report = dctwin.v1.WindowReport.$Properties;

/** The report of window `step` that ran with `result`; `noBatches`: a zero per host. */
export function ranWindowReport(
  step: Extract<PlanStep, { kind: "run" }>,
  result: WindowResult,
  noBatches: number[],
): Report {
  const batchesSentTo = noBatches;
  for (const toHost of result.outbox.keys()) batchesSentTo[toHost] = 1;
  return {
    window: step.window,
    startNs: step.startNs,
    endNs: step.endNs,
    nextEventNs: result.nextEventNs,
    batchesSentTo,
    counters: result.counters,
    intervals: result.intervals.map(toWireInterval),
    events: result.events,
    addedDelayNs: result.addedDelayNs,
  };
}

/** The closing report: the run ends at `step.atNs` with the intervals and counters the shard finished with. */
export function finalReport(
  step: Extract<PlanStep, { kind: "finish" }>,
  finished: { intervals: IntervalData[]; counters: ShardCounters },
  nextEventNs: number,
  noBatches: number[],
  timing: dctwin.v1.HostTiming.$Properties,
): Report {
  return {
    window: step.window,
    startNs: step.atNs,
    endNs: step.atNs,
    final: true,
    nextEventNs,
    batchesSentTo: noBatches,
    counters: finished.counters,
    intervals: finished.intervals.map(toWireInterval),
    timing,
  };
}
