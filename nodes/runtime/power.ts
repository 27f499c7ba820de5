/**
 * Exact energy of one actor: power is piecewise constant between the actor's own events, so energy is the sum
 * of power × duration over those pieces. Accrual happens only at the actor's events and at metrics-interval
 * boundaries, both independent of placement, so the floating-point result is the same on any host.
 *
 * A draw known in advance for a stretch of time (a port busy serializing a packet) is a `spread`: it needs no
 * event at its end, since accrual takes each spread's overlap with the stretch being accrued.
 *
 * This runs on every event of a powered actor, so it allocates nothing there: an actor has a handful of
 * components, kept as slots (names in sorted order, found by a short scan) with their watts and joules in plain
 * number arrays, and spreads as parallel columns.
 */

import { inserted } from "./exact-array.ts";

/** Where a drain puts the energies (IntervalLedger.energyInOrder). */
export interface EnergySink {
  energyInOrder(actor: number, component: string, joules: number): void;
}

export class PowerMeter {
  /** Component names, sorted; the slot of a component is its index here. */
  private names: string[] = [];
  private watts: number[] = [];
  private joules: number[] = [];
  /** Whether the slot has energy since the last drain (a component drawing 0 W still reports its 0 J). */
  private accrued: boolean[] = [];
  /** Spreads: `spreadW[i]` watts drawn by slot `spreadSlot[i]` over [spreadFrom[i], spreadTo[i]). */
  private readonly spreadSlot: number[] = [];
  private readonly spreadW: number[] = [];
  private readonly spreadFrom: number[] = [];
  private readonly spreadTo: number[] = [];
  /** Slots that have had a `set` (the others only get lumps and spreads). */
  private drawing = 0;
  private lastNs = 0;

  /** Integrates the current draw up to `nowNs`. */
  accrue(nowNs: number): void {
    const dtS = (nowNs - this.lastNs) * 1e-9;
    if (dtS > 0 && this.drawing > 0) {
      const { watts, joules, accrued } = this;
      for (let i = 0; i < watts.length; i++) {
        const w = watts[i]!;
        if (w < 0) continue; // never set: only lumps and spreads
        joules[i]! += w * dtS;
        accrued[i] = true;
      }
    }
    if (this.spreadSlot.length > 0) this.accrueSpreads(nowNs);
    this.lastNs = nowNs;
  }

  /** `component` draws `watts` more over [fromNs, toNs) (fromNs not before the last accrual). */
  spread(component: string, watts: number, fromNs: number, toNs: number): void {
    if (!(toNs > fromNs && watts > 0)) return;
    this.spreadSlot.push(this.slot(component));
    this.spreadW.push(watts);
    this.spreadFrom.push(fromNs);
    this.spreadTo.push(toNs);
  }

  private accrueSpreads(nowNs: number): void {
    const { spreadSlot, spreadW, spreadFrom, spreadTo } = this;
    let kept = 0;
    for (let i = 0; i < spreadSlot.length; i++) {
      const fromNs = spreadFrom[i]!;
      const toNs = spreadTo[i]!;
      const from = Math.max(fromNs, this.lastNs);
      const to = Math.min(toNs, nowNs);
      if (to > from) this.addAt(spreadSlot[i]!, spreadW[i]! * (to - from) * 1e-9);
      if (toNs > nowNs) {
        spreadSlot[kept] = spreadSlot[i]!;
        spreadW[kept] = spreadW[i]!;
        spreadFrom[kept] = fromNs;
        spreadTo[kept++] = toNs;
      }
    }
    spreadSlot.length = kept;
    spreadW.length = kept;
    spreadFrom.length = kept;
    spreadTo.length = kept;
  }

  /** From `nowNs` on, `component` draws `watts`. */
  set(component: string, watts: number, nowNs: number): void {
    this.accrue(nowNs);
    const slot = this.slot(component);
    if (this.watts[slot]! < 0) this.drawing++;
    this.watts[slot] = watts;
  }

  /** A lump of energy spent at one instant (e.g. per bit transmitted), added to `component`. */
  add(component: string, joules: number): void {
    this.addAt(this.slot(component), joules);
  }

  private addAt(slot: number, joules: number): void {
    this.joules[slot]! += joules;
    this.accrued[slot] = true;
  }

  watt(component: string): number {
    const slot = this.names.indexOf(component);
    return slot < 0 ? 0 : Math.max(0, this.watts[slot]!);
  }

  /**
   * Hands the energy per component since the last drain (call `accrue` first) to `sink` as `actor`'s, sorted by
   * component. No allocation: a large shard drains thousands of meters per interval.
   */
  drainTo(actor: number, sink: EnergySink): void {
    for (let i = 0; i < this.names.length; i++) {
      if (!this.accrued[i]) continue;
      sink.energyInOrder(actor, this.names[i]!, this.joules[i]!);
      this.joules[i] = 0;
      this.accrued[i] = false;
    }
  }

  /** Energy per component since the last drain (call `accrue` first), sorted by component. */
  drain(): [string, number][] {
    const out: [string, number][] = [];
    this.drainTo(0, { energyInOrder: (_, component, joules) => out.push([component, joules]) });
    return out;
  }

  /** The slot of `component`, made (in sorted place) on first use; a new slot has never been set (watts −1). */
  private slot(component: string): number {
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === component) return i;
    let at = names.length;
    while (at > 0 && names[at - 1]! > component) at--;
    // Spreads refer to slots: shift those at or after the new one.
    for (let i = 0; i < this.spreadSlot.length; i++) if (this.spreadSlot[i]! >= at) this.spreadSlot[i]!++;
    this.names = inserted(names, at, component);
    this.watts = inserted(this.watts, at, -1);
    this.joules = inserted(this.joules, at, 0);
    this.accrued = inserted(this.accrued, at, false);
    return at;
  }
}
