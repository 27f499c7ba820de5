/** link-down: the chosen links go down. */
import type { FaultContext } from "./context.ts";
import { onLinks } from "./targets.ts";

export const resolveLinkDown = (ctx: FaultContext) => onLinks(ctx, () => ({ up: false }));
