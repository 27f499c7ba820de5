/**
 * Exact energy of one actor: power is piecewise constant between the actor's own events, so energy is the sum
 * of power × duration over those pieces. Accrual happens only at the actor's events and at metrics-interval
 * boundaries, both independent of placement, so the floating-point result is the same on any host.
 */
export class PowerMeter {
  private readonly watts = new Map<string, number>();
  private readonly joules = new Map<string, number>();
  private lastNs = 0;

  /** Integrates the current draw up to `nowNs`. */
  accrue(nowNs: number): void {
    const dtS = (nowNs - this.lastNs) * 1e-9;
    if (dtS > 0) for (const [component, w] of this.watts) this.joules.set(component, (this.joules.get(component) ?? 0) + w * dtS);
    this.lastNs = nowNs;
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
