/**
 * Hybrid leap runs: `run.leap.exact` selects actors (the selector experiments use: actors, kinds, groups, labels)
 * that keep their exact models while the rest leaps (nodes/leap/exact-in-leap.ts). Actors whose leap law cannot
 * take them (an ml_inference actor with several GPUs, a batch timer or batches over 128: the kinds' leapFallback)
 * join them without being selected: they run exact instead of being refused.
 *
 * Supported subset: whole servers (a selected server's components stay exact with it) and ml_inference actors,
 * without downstream calls, whose requests come from clients and load balancers (which leap). At that boundary a
 * count becomes single packets with Poisson arrival times and the actor's responses go back as counts of one;
 * the switches, ports and clients around it leap. Anything else is refused with the field path: a switch or a
 * client would need counts and single packets on the same port, and a call graph across the boundary would mix
 * the exact and the virtual clock of one flow. CRAC and UPS units run their exact models in leap mode anyway;
 * selecting them changes nothing.
 */
import { hasActorCriteria, matchActors } from "../spec/selector-match.ts";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import { selectorFromFields } from "../spec/faults/fields.ts";
import type { RequestIssue } from "../spec/requests.ts";
import type { ValidationIssue } from "./issues.ts";
import type { KindCatalogue } from "./kinds.ts";
import type { ScenarioFile } from "./schema.ts";

const PATH = "run.leap.exact";
/** Kinds that run their exact models in leap mode already. */
const ALWAYS_EXACT = new Set(["crac", "ups"]);
/** Kinds whose packets may reach an exact server: their counts become single packets at its boundary. */
const SENDERS = new Set(["client", "load_balancer"]);

/** Kinds that can run exact among leaping actors: requests in, responses out (components go with their server). */
const EXACT_KINDS = new Set(["server", "ml_inference"]);

/** The actors `run.leap.exact` selects (before the checks), [] when it is not given, or null when it is invalid. */
function selectedActors(data: ScenarioFile, scenario: ResolvedScenario, issues: ValidationIssue[]): number[] | null {
  const fields = data.run.leap.exact;
  if (fields === undefined) return [];
  const selector = selectorFromFields(fields);
  if (selector.links.length > 0)
    issues.push({ path: `${PATH}.links`, message: "a hybrid run selects actors (servers), not links" });
  if (!hasActorCriteria(selector)) {
    issues.push({
      path: PATH,
      message: "expected actors, kinds, groups or labels selecting the servers to keep exact",
    });
    return null;
  }
  const found: RequestIssue[] = [];
  const matched = matchActors(scenario, selector, PATH, found);
  for (const f of found) issues.push({ path: f.path, message: f.message });
  if (found.length > 0) return null;
  const exact = matched.filter((i) => !ALWAYS_EXACT.has(scenario.actors[i]!.kind));
  if (exact.length === 0) {
    issues.push({ path: PATH, message: "the selector matches no server or ml_inference actor" });
    return null;
  }
  return exact;
}

/**
 * The indices of the actors a hybrid run keeps exact (ascending): the selected ones and those their leap law
 * cannot take; undefined when the run has none. `actorPaths` locate the latter's problems.
 */
export function resolveHybrid(
  kinds: KindCatalogue,
  data: ScenarioFile,
  scenario: ResolvedScenario,
  actorPaths: readonly string[],
  issues: ValidationIssue[],
): number[] | undefined {
  // In exact mode every actor is exact: the selection is moot (so one file serves both modes and the hybrid).
  if (data.run.mode !== "leap") return undefined;
  const selected = selectedActors(data, scenario, issues);
  if (selected === null) return undefined;
  const selectedSet = new Set(selected);
  const fallbacks = new Map<number, string>();
  for (const actor of scenario.actors) {
    const reason = kinds.leapFallback(actor);
    if (reason !== null && !selectedSet.has(actor.index)) fallbacks.set(actor.index, reason);
  }
  if (selected.length === 0 && fallbacks.size === 0) return undefined;
  /** Where a problem with exact actor i is reported, and how the message names it. */
  const subject = (i: number) => {
    const actor = scenario.actors[i]!;
    const reason = fallbacks.get(i);
    return reason === undefined
      ? { path: PATH, lead: `selects ${actor.kind} "${actor.id}"` }
      : { path: actorPaths[i] ?? `actors[${i}]`, lead: `${reason}, so ${actor.kind} "${actor.id}" runs exact` };
  };
  const servers = new Set(selected.filter((i) => scenario.actors[i]!.kind === "server"));
  const chosen = new Set([...selected, ...fallbacks.keys()]);
  // A server stays exact whole: with the components that share its CPU and NIC.
  for (const actor of scenario.actors)
    if (actor.placedOn !== undefined && servers.has(actor.placedOn)) chosen.add(actor.index);
  for (const i of chosen) {
    const actor = scenario.actors[i]!;
    if (actor.placedOn !== undefined && !servers.has(actor.placedOn))
      issues.push({
        path: PATH,
        message: `selects component "${actor.id}" without its server "${scenario.actors[actor.placedOn]!.id}": a component stays exact with its whole server`,
      });
    else if (!EXACT_KINDS.has(actor.kind) && actor.placedOn === undefined) {
      issues.push({
        path: PATH,
        message: `selects ${actor.kind} "${actor.id}": a hybrid run keeps whole servers (with their components) and ml_inference actors exact; switches, clients, balancers and ML training leap (yet)`,
      });
      continue;
    }
    const own = kinds.kinds[actor.kind]?.references(actor.params as Record<string, unknown>, actor.id) ?? [];
    if (own.length > 0) {
      const { path, lead } = subject(i);
      issues.push({
        path,
        message: `${lead}, which makes downstream calls (${own[0]!.key}): exact actors make no calls across the boundary (yet)`,
      });
    }
  }
  const indexById = new Map(scenario.actors.map((a) => [a.id, a.index]));
  for (const actor of scenario.actors) {
    if (SENDERS.has(actor.kind) || chosen.has(actor.index)) continue;
    const model = kinds.kinds[actor.kind];
    for (const ref of model?.references(actor.params as Record<string, unknown>, actor.id) ?? []) {
      const target = indexById.get(ref.id);
      if (target === undefined || !chosen.has(target)) continue;
      const { path, lead } = subject(target);
      issues.push({
        path,
        message: `${lead}, which ${actor.kind} "${actor.id}" calls (${ref.key}): exact actors take requests from clients and balancers only (yet)`,
      });
    }
  }
  return [...chosen].sort((a, b) => a - b);
}
