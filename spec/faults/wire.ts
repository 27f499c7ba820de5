/** Wire-side helpers the fault actions' (and load changes') proto mappings share. */
import type { dctwin } from "../../proto/gen/dctwin.js";
import { emptySelector, type RequestIssue, type SelectorSpec } from "../requests.ts";

export function selectorFromProto(s: dctwin.v1.Selector.$Properties | null | undefined): SelectorSpec {
  if (s == null) return emptySelector();
  return {
    actors: [...(s.actors ?? [])],
    kinds: [...(s.kinds ?? [])],
    groups: [...(s.groups ?? [])],
    labels: { ...(s.labels ?? {}) },
    links: [...(s.links ?? [])],
  };
}

export function selectorToProto(s: SelectorSpec): dctwin.v1.Selector.$Properties {
  return { actors: s.actors, kinds: s.kinds, groups: s.groups, labels: s.labels, links: s.links };
}

/** A JSON object from a string field ("" is `{}`). */
export function jsonField(text: string | null | undefined, path: string, issues: RequestIssue[]): unknown {
  if (text == null || text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    issues.push({ path, message: "expected a JSON object" });
    return {};
  }
}

export function nonNegativeNs(value: number | null | undefined, path: string, issues: RequestIssue[]): number {
  const v = Number(value ?? 0);
  if (!(Number.isSafeInteger(v) && v >= 0))
    issues.push({ path, message: "expected a non-negative number of nanoseconds" });
  return v;
}
