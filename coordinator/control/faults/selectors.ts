/**
 * Targets of faults and load changes: selectors (ids with `*` wildcards, kinds, groups, labels, link ids) match
 * actors or links of the scenario, then a mode (all, one, fixed, fixed-percent; as in Chaos Mesh) takes some of
 * them, drawn from a seeded stream so the same request picks the same targets in every run.
 */
import { Xoshiro128 } from "../../../nodes/runtime/rng.ts";
import type { ResolvedScenario } from "../../../nodes/runtime/topology.ts";
import type { RequestIssue, SelectorSpec, TargetChoice } from "../../../spec/requests.ts";
import { hasActorCriteria, matchActors, namedIndices } from "../../../spec/selector-match.ts";

export { hasActorCriteria, matchActors };

/** Link indices: the named links, those touching a matching actor, or both (intersection); every link if neither. */
export function matchLinks(
  scenario: ResolvedScenario,
  sel: SelectorSpec,
  path: string,
  issues: RequestIssue[],
): number[] {
  const byId = namedIndices(scenario.links, sel.links, "link", `${path}.links`, issues);
  const actors = hasActorCriteria(sel) ? new Set(matchActors(scenario, sel, path, issues)) : null;
  return scenario.links
    .filter((l) => (byId === null || byId.has(l.index)) && (actors === null || actors.has(l.a) || actors.has(l.b)))
    .map((l) => l.index);
}

/** Links with one end in `a` and the other in `b`. */
export function linksBetween(scenario: ResolvedScenario, a: readonly number[], b: readonly number[]): number[] {
  const sa = new Set(a);
  const sb = new Set(b);
  return scenario.links.filter((l) => (sa.has(l.a) && sb.has(l.b)) || (sa.has(l.b) && sb.has(l.a))).map((l) => l.index);
}

/** Checks a mode's value: a whole count for fixed, a percentage in (0, 100] for fixed-percent. */
export function checkChoice(choice: TargetChoice, path: string, issues: RequestIssue[]): void {
  if (choice.mode === "fixed" && !(Number.isInteger(choice.value) && choice.value >= 1))
    issues.push({ path: `${path}.value`, message: "mode fixed needs a whole number of targets of at least 1" });
  if (choice.mode === "fixed-percent" && !(choice.value > 0 && choice.value <= 100))
    issues.push({ path: `${path}.value`, message: "mode fixed-percent needs a percentage in (0, 100]" });
}

/**
 * Takes targets from the candidates (ascending indices) by the mode, with a partial Fisher–Yates shuffle of the
 * stream (seed, stream name); returns them ascending.
 */
export function chooseTargets(
  candidates: readonly number[],
  choice: TargetChoice,
  seed: number,
  stream: string,
): number[] {
  const n = candidates.length;
  let k: number;
  switch (choice.mode) {
    case "all":
      return [...candidates];
    case "one":
      k = Math.min(1, n);
      break;
    case "fixed":
      k = Math.min(Math.floor(choice.value), n);
      break;
    case "fixed-percent":
      k = n === 0 ? 0 : Math.max(1, Math.floor((n * choice.value) / 100));
      break;
  }
  const pool = [...candidates];
  const rng = Xoshiro128.seeded(seed, stream);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k).sort((x, y) => x - y);
}
