/** loss: the chosen links lose packets with the fault's probability. */
import type { LossAction } from "../../../spec/faults/loss.ts";
import type { FaultContext } from "./context.ts";
import { onLinks } from "./targets.ts";

export const resolveLoss = (ctx: FaultContext<LossAction>) => onLinks(ctx, () => ({ loss: ctx.action.probability }));
