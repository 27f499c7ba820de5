/**
 * Carbon: operational carbon from the facility energy (IT + cooling + distribution losses) of each metrics interval
 * times the grid's carbon intensity over that interval, and embodied carbon amortised per actor (kind by kind,
 * linearly over its lifetime). Within one interval the energy is known only in total, so the intensity used is its
 * time average over the interval: exact when the intensity steps on interval boundaries or the power is constant
 * within the interval.
 */
import type { CarbonSettings } from "../../nodes/runtime/topology.ts";

const JOULES_PER_KWH = 3.6e6;

export interface IntervalCarbon {
  operationalG: number;
  embodiedG: number;
}

/** Time-averaged intensity (g/kWh) over [startNs, endNs): steps hold from their time to the next. */
export function meanIntensity(
  steps: readonly { atNs: number; gPerKwh: number }[],
  startNs: number,
  endNs: number,
): number {
  if (steps.length === 0 || endNs <= startNs) return steps[0]?.gPerKwh ?? 0;
  let weighted = 0;
  for (let i = 0; i < steps.length; i++) {
    const from = i === 0 ? Number.NEGATIVE_INFINITY : steps[i]!.atNs;
    const to = i + 1 < steps.length ? steps[i + 1]!.atNs : Number.POSITIVE_INFINITY;
    const overlap = Math.min(to, endNs) - Math.max(from, startNs);
    if (overlap > 0) weighted += overlap * steps[i]!.gPerKwh;
  }
  return weighted / (endNs - startNs);
}

/** Null when the run models no carbon. `actors`: every actor's kind (the resolved scenario's, or the run view's). */
export function intervalCarbon(
  carbon: CarbonSettings | null | undefined,
  actors: readonly { kind: string }[],
  startNs: number,
  endNs: number,
  facilityJ: number,
): IntervalCarbon | null {
  if (carbon === null || carbon === undefined) return null;
  const seconds = (endNs - startNs) / 1e9;
  let embodiedG = 0;
  for (const actor of actors) embodiedG += (carbon.embodiedGPerSByKind[actor.kind] ?? 0) * seconds;
  return { operationalG: (facilityJ / JOULES_PER_KWH) * meanIntensity(carbon.intensity, startNs, endNs), embodiedG };
}
