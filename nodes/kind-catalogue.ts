/**
 * The registered kinds as the scenario loader sees them: the model registry's parameter schemas and leap mode's
 * support (the loader sits below both layers and receives this from its caller).
 */
import type { KindCatalogue } from "../scenario/kinds.ts";
import { leapFallback, leapKinds, leapUnsupported } from "./leap/support.ts";
import { faultShorthands, modelRegistry } from "./models/registry.ts";

export const kindCatalogue: KindCatalogue = {
  kinds: modelRegistry,
  leapKinds: Object.keys(leapKinds),
  leapUnsupported,
  leapFallback,
  faultShorthands,
};
