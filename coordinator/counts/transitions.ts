/**
 * An interval's state-transition counts (the queue-length moves of the irreversibility ledger) as the hosts report
 * them: in columns, one report after another, with no object or Map entry per transition while the run goes on
 * (an interval of a large run has tens of thousands). A transition reported twice (the same actor, mechanism and
 * states in two reports) is two entries; `transitionTotals` adds them up for readers.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";
import { newTransitionColumns, type TransitionColumns } from "../../nodes/runtime/interval-columns.ts";

export type { TransitionColumns };

export interface TransitionTotals {
  actor: number;
  mechanism: string;
  fromState: number;
  toState: number;
  count: number;
}

export { newTransitionColumns };

/** Appends a report's transition columns (its mechanism numbers renumbered into `into.mechanisms`). */
export function addTransitions(into: TransitionColumns, report: dctwin.v1.IntervalReport.$Properties): void {
  const actor = report.transitionActor ?? [];
  const n = actor.length;
  if (n === 0) return;
  const mechanismOf = report.transitionMechanism ?? [];
  const from = report.transitionFrom ?? [];
  const to = report.transitionTo ?? [];
  const count = report.transitionCount ?? [];
  const numberOf = (name: string) => {
    const k = into.mechanisms.indexOf(name); // a run has a handful of mechanisms
    return k >= 0 ? k : into.mechanisms.push(name) - 1;
  };
  const local = (report.transitionMechanisms ?? []).map(numberOf);
  for (let i = 0; i < n; i++) {
    into.actor.push(actor[i]!);
    into.mechanism.push(local[mechanismOf[i] ?? 0] ?? numberOf("")); // past the name table: no name
    into.fromState.push(Number(from[i] ?? 0));
    into.toState.push(Number(to[i] ?? 0));
    into.count.push(Number(count[i] ?? 0));
  }
}

/** The transitions with their counts added up by actor, mechanism and states, in the order first reported. */
export function transitionTotals(t: TransitionColumns): TransitionTotals[] {
  const byKey = new Map<number | string, TransitionTotals>();
  for (let i = 0; i < t.actor.length; i++) {
    const entry = {
      actor: t.actor[i]!,
      mechanism: t.mechanisms[t.mechanism[i]!] ?? "",
      fromState: t.fromState[i]!,
      toState: t.toState[i]!,
      count: t.count[i]!,
    };
    const key = transitionKey(entry, t.mechanism[i]!);
    const existing = byKey.get(key);
    if (existing === undefined) byKey.set(key, entry);
    else existing.count += entry.count;
  }
  return [...byKey.values()];
}

/**
 * One number for a transition whose parts fit in 52 bits (actor below 2^21, one of the first 32 mechanisms, states
 * in [0, 8192)), else a string.
 */
function transitionKey(t: TransitionTotals, mechanism: number): number | string {
  const { actor, fromState: from, toState: to } = t;
  const fits =
    Number.isInteger(actor) && actor >= 0 && actor < 2 ** 21 && mechanism < 32 && isState(from) && isState(to);
  return fits ? ((actor * 32 + mechanism) * 8192 + from) * 8192 + to : `${actor}|${t.mechanism}|${from}|${to}`;
}

function isState(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x < 8192;
}
