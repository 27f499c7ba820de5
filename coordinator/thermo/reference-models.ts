/** The reference models of docs/thermo.md as specs, for tests and the coordinator's self-checks. */
import type { MarkovModelSpec, TransitionSpec } from "./spec.ts";

/** N states on a ring, hopping i→i+1 at k+ and i+1→i at k− (one mechanism). */
export function drivenRingSpec(states: number, kPlusPerS: number, kMinusPerS: number): MarkovModelSpec {
  const names = Array.from({ length: states }, (_, i) => `s${i}`);
  const transitions = names.flatMap((s, i) => {
    const next = names[(i + 1) % states]!;
    return [
      { from: s, to: next, rate: kPlusPerS, mechanism: "hop" },
      { from: next, to: s, rate: kMinusPerS, mechanism: "hop" },
    ];
  });
  return { states: names, transitions };
}

export interface Mm1Options {
  arrivalPerS: number;
  servicePerS: number;
  /** With both reverse rates, arrival and service are separate mechanisms, each with its own reverse. */
  arrivalReversePerS?: number;
  serviceReversePerS?: number;
  /** Truncation: queue lengths 0..maxLength. */
  maxLength: number;
}

/**
 * M/M/1 queue length. Without reverse rates: the plain queue-length graph, where the reverse of an arrival is a
 * service (one unnamed mechanism, a tree: σ = 0). With them: mechanisms "arrival" (client→queue, back at
 * arrivalReversePerS) and "service" (queue→sink, back at serviceReversePerS).
 */
export function mm1QueueSpec(o: Mm1Options): MarkovModelSpec {
  const names = Array.from({ length: o.maxLength + 1 }, (_, n) => `n${n}`);
  const resolved = o.arrivalReversePerS !== undefined || o.serviceReversePerS !== undefined;
  const transitions: TransitionSpec[] = [];
  for (let n = 0; n < o.maxLength; n++) {
    const [lo, hi] = [names[n]!, names[n + 1]!];
    if (!resolved) {
      transitions.push({ from: lo, to: hi, rate: o.arrivalPerS }, { from: hi, to: lo, rate: o.servicePerS });
      continue;
    }
    transitions.push(
      { from: lo, to: hi, rate: o.arrivalPerS, mechanism: "arrival" },
      { from: hi, to: lo, rate: o.arrivalReversePerS ?? 0, mechanism: "arrival" },
      { from: hi, to: lo, rate: o.servicePerS, mechanism: "service" },
      { from: lo, to: hi, rate: o.serviceReversePerS ?? 0, mechanism: "service" },
    );
  }
  return { states: names, transitions };
}

/** States 1–4, two cycles 1→2→3→1 (affinity ln 6) and 1→3→4→1 (ln 8). */
export function twoCycleNetworkSpec(): MarkovModelSpec {
  const k: [string, string, number][] = [
    ["1", "2", 2],
    ["2", "1", 1],
    ["2", "3", 3],
    ["3", "2", 1],
    ["3", "1", 1],
    ["1", "3", 1],
    ["3", "4", 2],
    ["4", "3", 1],
    ["4", "1", 4],
    ["1", "4", 1],
  ];
  return { states: ["1", "2", "3", "4"], transitions: k.map(([from, to, rate]) => ({ from, to, rate })) };
}
