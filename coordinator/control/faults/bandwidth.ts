/** bandwidth: the chosen links' bandwidth becomes the fault's. */
import type { BandwidthAction } from "../../../spec/faults/bandwidth.ts";
import type { FaultContext } from "./context.ts";
import { onLinks } from "./targets.ts";

export const resolveBandwidth = (ctx: FaultContext<BandwidthAction>) =>
  onLinks(ctx, () => ({ bandwidthBps: ctx.action.bandwidthBps }));
