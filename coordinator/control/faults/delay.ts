/** delay: the chosen links' latency grows by the fault's (over the scenario's), with the fault's jitter. */
import type { DelayAction } from "../../../spec/faults/delay.ts";
import type { FaultContext } from "./context.ts";
import { onLinks } from "./targets.ts";

export const resolveDelay = (ctx: FaultContext<DelayAction>) =>
  onLinks(ctx, (link) => ({
    latencyNs: ctx.scenario.links[link]!.latencyNs + ctx.action.latencyNs,
    jitterNs: ctx.action.jitterNs,
  }));
