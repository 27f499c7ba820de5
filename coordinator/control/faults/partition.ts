/** partition: every link between an actor of one side (the selector) and one of the other goes down. */
import type { PartitionAction } from "../../../spec/faults/partition.ts";
import { emptyEffect } from "./effect.ts";
import type { FaultContext, ResolvedFault } from "./context.ts";
import { hasActorCriteria, linksBetween, matchActors } from "./selectors.ts";

export function resolvePartition(ctx: FaultContext<PartitionAction>): ResolvedFault | undefined {
  const { scenario, request, path, issues } = ctx;
  const before = issues.length;
  const sel = request.selector;
  const bothSides = "a partition needs actor criteria on both sides (selector and other)";
  if (!hasActorCriteria(sel)) issues.push({ path: `${path}.selector`, message: bothSides });
  if (!hasActorCriteria(ctx.action.other)) issues.push({ path: ctx.at("other"), message: bothSides });
  if (sel.links.length > 0)
    issues.push({
      path: `${path}.selector.links`,
      message: "a partition is between actors; it takes down the links that join them",
    });
  if (issues.length > before) return undefined;
  const a = matchActors(scenario, sel, `${path}.selector`, issues);
  const b = matchActors(scenario, ctx.action.other, ctx.at("other"), issues);
  if (issues.length > before) return undefined;
  const candidates = linksBetween(scenario, a, b);
  if (candidates.length === 0) {
    issues.push({
      path: ctx.at("other"),
      message: "no link joins an actor of one side to an actor of the other",
      notFound: true,
    });
    return undefined;
  }
  const effect = emptyEffect();
  const chosen = ctx.choose(candidates);
  for (const link of chosen) effect.links.set(link, { up: false });
  return { targets: chosen.map((i) => scenario.links[i]!.id), kind: "links", effect };
}
