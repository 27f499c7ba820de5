/**
 * What the heat ledger needs of every interval, added up as each closes (in index order, so the sums equal those
 * made at the end over all records): joules per actor and component, and each actor's bits erased and delivered.
 * Plain data: a checkpoint keeps it.
 */
import type { IntervalRecord } from "../counts/aggregate.ts";
import { CompactNested } from "../counts/compact-nested.ts";

export class EnergyTotals {
  /** actor index -> component -> joules over the run. */
  readonly energy = new Map<number, Map<string, number>>();
  readonly bitsErased: Float64Array;
  readonly bitsDelivered: Float64Array;

  constructor(actors: number) {
    this.bitsErased = new Float64Array(actors);
    this.bitsDelivered = new Float64Array(actors);
  }

  take(record: IntervalRecord): void {
    // Read from the columns in the record's order (actors as added, each one's components likewise).
    const energy = CompactNested.of(record.energy);
    const names = energy.nameList();
    for (let group = 0; group < energy.size; group++) {
      const actor = energy.actorOf(group);
      let inner = this.energy.get(actor);
      if (inner === undefined) this.energy.set(actor, (inner = new Map()));
      for (let e = energy.firstEntry(group); e < energy.endEntry(group); e++) {
        const name = names[energy.nameNumber(e)]!;
        inner.set(name, (inner.get(name) ?? 0) + energy.amount(e));
      }
    }
    this.addBits(record);
  }

  /** Read from the counter columns (no Map of every counter of every actor for two of them). */
  private addBits(record: IntervalRecord): void {
    const counters = CompactNested.of(record.counters);
    const e = counters.numberOf("bits_erased");
    const d = counters.numberOf("bits_delivered");
    if (e < 0 && d < 0) return;
    const actors = this.bitsErased.length;
    for (let group = 0; group < counters.size; group++) {
      const actor = counters.actorOf(group);
      if (actor >= actors) continue;
      for (let entry = counters.firstEntry(group); entry < counters.endEntry(group); entry++) {
        const name = counters.nameNumber(entry);
        if (name === e) this.bitsErased[actor]! += counters.amount(entry);
        else if (name === d) this.bitsDelivered[actor]! += counters.amount(entry);
      }
    }
  }
}
