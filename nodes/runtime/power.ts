/**
 * Exact energy of one actor: power is piecewise constant between the actor's own events, so energy is the sum
 * of power × duration over those pieces. Accrual happens only at the actor's events and at metrics-interval
 * boundaries, both independent of placement, so the floating-point result is the same on any host.
 *
 * A draw known in advance for a stretch of time (a port busy serializing a packet) is a `spread`: it needs no
 * event at its end, since accrual takes each spread's overlap with the stretch being accrued.
 */

/** `watts` drawn by `component` over [fromNs, toNs). */
interface Spread {
  component: string;
  watts: number;
  fromNs: number;
  toNs: number;
}

export class PowerMeter {
  private readonly watts = new Map<string, number>();
  private readonly joules = new Map<string, number>();
  private spreads: Spread[] = [];
  private lastNs = 0;

  /** Integrates the current draw up to `nowNs`. */
  accrue(nowNs: number): void {
    const dtS = (nowNs - this.lastNs) * 1e-9;
    if (dtS > 0)
      for (const [component, w] of this.watts) this.joules.set(component, (this.joules.get(component) ?? 0) + w * dtS);
    if (this.spreads.length > 0) this.accrueSpreads(nowNs);
    this.lastNs = nowNs;
  }

  /** `component` draws `watts` more over [fromNs, toNs) (fromNs not before the last accrual). */
  spread(component: string, watts: number, fromNs: number, toNs: number): void {
    if (toNs > fromNs && watts > 0) this.spreads.push({ component, watts, fromNs, toNs });
  }

  private accrueSpreads(nowNs: number): void {
    let kept = 0;
    for (const s of this.spreads) {
      const from = Math.max(s.fromNs, this.lastNs);
      const to = Math.min(s.toNs, nowNs);
      if (to > from) this.add(s.component, s.watts * (to - from) * 1e-9);
      if (s.toNs > nowNs) this.spreads[kept++] = s;
    }
    this.spreads.length = kept;
  }

  /** From `nowNs` on, `component` draws `watts`. */
  set(component: string, watts: number, nowNs: number): void {
    this.accrue(nowNs);
    this.watts.set(component, watts);
  }

  /** A lump of energy spent at one instant (e.g. per bit transmitted), added to `component`. */
  add(component: string, joules: number): void {
    this.joules.set(component, (this.joules.get(component) ?? 0) + joules);
  }

  watt(component: string): number {
    return this.watts.get(component) ?? 0;
  }

  /** Energy per component since the last drain (call `accrue` first), sorted by component. */
  drain(): [string, number][] {
    const out = [...this.joules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.joules.clear();
    return out;
  }
}
