/**
 * Which actors a selector matches (ids with `*` wildcards, kinds, groups, labels; every non-empty criterion must
 * hold): the faults' and load changes' targets (coordinator/control/faults/selectors.ts) and a hybrid leap run's
 * exact actors (scenario/leap-hybrid.ts).
 */
import type { RequestIssue, SelectorSpec } from "./requests.ts";

/** What a selector reads of an actor (a resolved scenario's ActorSpec). */
export interface SelectableActor {
  index: number;
  id: string;
  kind: string;
  group: string;
  labels: Record<string, string>;
}

function globRegex(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}

/** Matches names against patterns; an exact name (no `*`) that matches nothing is reported as not found. */
function matchNames(
  names: readonly string[],
  patterns: readonly string[],
  what: string,
  path: string,
  issues: RequestIssue[],
): Set<number> {
  const matched = new Set<number>();
  patterns.forEach((pattern, i) => {
    const re = globRegex(pattern);
    let any = false;
    names.forEach((name, index) => {
      if (re.test(name)) {
        matched.add(index);
        any = true;
      }
    });
    if (!any)
      issues.push({
        path: `${path}[${i}]`,
        message: pattern.includes("*") ? `no ${what} matches "${pattern}"` : `no ${what} "${pattern}"`,
        notFound: true,
      });
  });
  return matched;
}

/** The indices of `items` whose ids match `patterns`; null (no criterion) when there are no patterns. */
export function namedIndices(
  items: readonly { id: string }[],
  patterns: readonly string[],
  what: string,
  path: string,
  issues: RequestIssue[],
): Set<number> | null {
  if (patterns.length === 0) return null;
  return matchNames(
    items.map((item) => item.id),
    patterns,
    what,
    path,
    issues,
  );
}

export function hasActorCriteria(sel: SelectorSpec): boolean {
  return sel.actors.length > 0 || sel.kinds.length > 0 || sel.groups.length > 0 || Object.keys(sel.labels).length > 0;
}

/** Actor indices matching every non-empty criterion, ascending. */
export function matchActors(
  scenario: { readonly actors: readonly SelectableActor[] },
  sel: SelectorSpec,
  path: string,
  issues: RequestIssue[],
): number[] {
  const byId = namedIndices(scenario.actors, sel.actors, "actor", `${path}.actors`, issues);
  const kinds = new Set(scenario.actors.map((a) => a.kind));
  sel.kinds.forEach((kind, i) => {
    if (!kinds.has(kind))
      issues.push({ path: `${path}.kinds[${i}]`, message: `no actor of kind "${kind}"`, notFound: true });
  });
  const groups = new Set(scenario.actors.map((a) => a.group));
  sel.groups.forEach((group, i) => {
    if (!groups.has(group))
      issues.push({ path: `${path}.groups[${i}]`, message: `no actor in group "${group}"`, notFound: true });
  });
  return scenario.actors
    .filter(
      (a) =>
        (byId === null || byId.has(a.index)) &&
        (sel.kinds.length === 0 || sel.kinds.includes(a.kind)) &&
        (sel.groups.length === 0 || sel.groups.includes(a.group)) &&
        Object.entries(sel.labels).every(([k, v]) => a.labels[k] === v),
    )
    .map((a) => a.index);
}
