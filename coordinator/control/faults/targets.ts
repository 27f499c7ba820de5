/** The two shapes most fault actions take: something done to each chosen actor, or to each chosen link. */
import type { FaultAction } from "../../../spec/requests.ts";
import { emptyEffect, type FaultEffect, type LinkFields } from "./effect.ts";
import type { FaultContext, ResolvedFault } from "./context.ts";
import { matchActors, matchLinks } from "./selectors.ts";

/**
 * An action on actors: the selector's actors (links refused), narrowed by `able` when only some can take it
 * (`able` reports why none can), then chosen; `apply` says what happens to each.
 */
export function onActors<A extends FaultAction>(
  ctx: FaultContext<A>,
  apply: (actor: number, effect: FaultEffect) => void,
  able?: (candidates: number[]) => number[],
): ResolvedFault | undefined {
  const { scenario, request, path, issues } = ctx;
  const before = issues.length;
  if (request.selector.links.length > 0)
    issues.push({
      path: `${path}.selector.links`,
      message: `${ctx.action.type} targets actors; select them by actors, kinds, groups or labels`,
    });
  let candidates = matchActors(scenario, request.selector, `${path}.selector`, issues);
  if (able !== undefined && issues.length === before) candidates = able(candidates);
  if (candidates.length === 0 && issues.length === before)
    issues.push({ path: `${path}.selector`, message: "no actor matches the selector", notFound: true });
  if (issues.length > before) return undefined;
  const effect = emptyEffect();
  const chosen = ctx.choose(candidates);
  for (const actor of chosen) apply(actor, effect);
  return { targets: chosen.map((i) => scenario.actors[i]!.id), kind: "actors", effect };
}

/** An action on links: the selector's links, chosen; `fields` are what each chosen link's fields become. */
export function onLinks<A extends FaultAction>(
  ctx: FaultContext<A>,
  fields: (link: number) => Partial<LinkFields>,
): ResolvedFault | undefined {
  const { scenario, request, path, issues } = ctx;
  const before = issues.length;
  const candidates = matchLinks(scenario, request.selector, `${path}.selector`, issues);
  if (candidates.length === 0 && issues.length === before)
    issues.push({ path: `${path}.selector`, message: "no link matches the selector", notFound: true });
  if (issues.length > before) return undefined;
  const effect = emptyEffect();
  const chosen = ctx.choose(candidates);
  for (const link of chosen) effect.links.set(link, fields(link));
  return { targets: chosen.map((i) => scenario.links[i]!.id), kind: "links", effect };
}
