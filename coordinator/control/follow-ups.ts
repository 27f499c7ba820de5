/**
 * Timed follow-ups of live changes (a fault's clear after its duration, the steps of a load ramp): each is due at
 * a simulated time and released at the first boundary at or after it, in due order (ties in the order they were
 * added), so a replay of the recorded steps applies them alike.
 */
export interface FollowUpsState<T> {
  items: { dueNs: number; seq: number; item: T }[];
  seq: number;
}

export class FollowUps<T> {
  private items: { dueNs: number; seq: number; item: T }[] = [];
  private seq = 0;

  /** The pending follow-ups as plain data (for a checkpoint). */
  snapshot(): FollowUpsState<T> {
    return { items: this.items.map((x) => ({ ...x })), seq: this.seq };
  }

  restore(state: FollowUpsState<T>): void {
    this.items = state.items.map((x) => ({ ...x }));
    this.seq = state.seq;
  }

  get size(): number {
    return this.items.length;
  }

  add(dueNs: number, item: T): void {
    this.items.push({ dueNs, seq: this.seq++, item });
  }

  /** Takes the follow-ups due at or before `t`, in order. */
  takeDue(t: number): T[] {
    const due = this.items.filter((x) => x.dueNs <= t).sort((a, b) => a.dueNs - b.dueNs || a.seq - b.seq);
    if (due.length > 0) this.items = this.items.filter((x) => x.dueNs > t);
    return due.map((x) => x.item);
  }

  /** Drops the follow-ups `match` picks (e.g. a fault's timed clear, once it is cleared by hand). */
  drop(match: (item: T) => boolean): void {
    this.items = this.items.filter((x) => !match(x.item));
  }
}
