/**
 * What a shard's actors did during the current metrics interval: metric observations, link traffic, drops,
 * state transitions and per-actor counters. Drained once per interval into an IntervalReport (wire.ts), so
 * the per-window messages carry only what synchronisation needs.
 */
import { WindowMetrics, type MetricAccumulator } from "./metrics.ts";

export interface LinkCount {
  link: number;
  reverse: boolean;
  packets: number;
  bytes: number;
  dropped: number;
  species: number;
}

/** How a packet enters or leaves the network at an actor (the irreversibility ledger's exchange mechanisms). */
export type Exchange = "created" | "consumed" | "dropped";
const EXCHANGES: readonly Exchange[] = ["created", "consumed", "dropped"];
/** Species numbers are small (proto enum Species); one slot per (exchange, species). */
const SPECIES_SLOTS = 8;

export interface TransitionCount {
  actor: number;
  mechanism: string;
  fromState: number;
  toState: number;
  count: number;
}

export interface TraceEventData {
  traceparent: string;
  kind: "create" | "hop" | "consume" | "drop";
  timeNs: number;
  actor: number;
  toActor: number;
  link: number;
  arriveNs: number;
  packetId: number;
  packetSrc: number;
  species: number;
  sizeBytes: number;
  reason: string;
}

export interface IntervalData {
  interval: number;
  events: number;
  metrics: MetricAccumulator[];
  links: LinkCount[];
  drops: { reason: string; packets: number }[];
  energy: { actor: number; component: string; joules: number }[];
  transitions: TransitionCount[];
  counters: { actor: number; name: string; value: number }[];
  traceEvents: TraceEventData[];
}

/** Per-actor tallies the runtime keeps itself (fixed slots: this is on every packet's path). */
interface ActorTally {
  packets_injected: number;
  packets_removed: number;
  bits_delivered: number;
  bits_erased: number;
}
export type TallyName = keyof ActorTally;

export class IntervalLedger {
  readonly metrics = new WindowMetrics();
  events = 0;
  private readonly tallies = new Map<number, ActorTally>();
  private readonly links = new Map<number, LinkCount>();
  /** actor -> counts by exchange * SPECIES_SLOTS + species. */
  private readonly exchanges = new Map<number, Float64Array>();
  private readonly drops = new Map<string, number>();
  /** actor -> mechanism -> (from, to) -> count; see `stateKey`. */
  private readonly transitions = new Map<number, Map<string, Map<number | string, TransitionCount>>>();
  private readonly counters = new Map<string, { actor: number; name: string; value: number }>();
  /** Steps of sampled journeys, in the order they happened on this host. */
  traceEvents: TraceEventData[] = [];

  /**
   * A packet of `species` put on link direction `direction` (= link * 2 + reverse); `lost` when it never arrives;
   * `multiplicity` real packets of `bytes` each.
   */
  countLink(direction: number, bytes: number, lost: boolean, species = 0, multiplicity = 1): void {
    const key = direction * SPECIES_SLOTS + (species & (SPECIES_SLOTS - 1));
    let c = this.links.get(key);
    if (c === undefined) {
      c = { link: direction >> 1, reverse: (direction & 1) === 1, packets: 0, bytes: 0, dropped: 0, species };
      this.links.set(key, c);
    }
    if (lost) c.dropped += multiplicity;
    else {
      c.packets += multiplicity;
      c.bytes += bytes * multiplicity;
    }
  }

  /** `count` packets of `species` created, consumed or dropped at `actor`: reported as counters `<exchange>:<species>`. */
  exchange(actor: number, species: number, what: Exchange, count = 1): void {
    let slots = this.exchanges.get(actor);
    if (slots === undefined) {
      slots = new Float64Array(EXCHANGES.length * SPECIES_SLOTS);
      this.exchanges.set(actor, slots);
    }
    slots[EXCHANGES.indexOf(what) * SPECIES_SLOTS + (species & (SPECIES_SLOTS - 1))]! += count;
  }

  drop(reason: string, packets = 1): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + packets);
  }

  transition(actor: number, mechanism: string, fromState: number, toState: number, count = 1): void {
    const byStates = getOrCreate(getOrCreate(this.transitions, actor), mechanism);
    const key = stateKey(fromState, toState);
    const t = byStates.get(key);
    if (t === undefined) byStates.set(key, { actor, mechanism, fromState, toState, count });
    else t.count += count;
  }

  /** Adds to one of the runtime's per-actor tallies. */
  tally(actor: number, name: TallyName, value: number): void {
    let t = this.tallies.get(actor);
    if (t === undefined) {
      t = { packets_injected: 0, packets_removed: 0, bits_delivered: 0, bits_erased: 0 };
      this.tallies.set(actor, t);
    }
    t[name] += value;
  }

  /** Adds to a model-defined per-actor counter. */
  count(actor: number, name: string, value: number): void {
    const key = `${actor}|${name}`;
    const c = this.counters.get(key);
    if (c === undefined) this.counters.set(key, { actor, name, value });
    else c.value += value;
  }

  /** Everything recorded since the last drain, in a fixed order; `energy` comes from the power meters. */
  drain(interval: number, energy: IntervalData["energy"]): IntervalData {
    const byActorThenName = <T extends { actor: number }>(key: (x: T) => string) => (a: T, b: T) => a.actor - b.actor || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
    for (const [actor, t] of this.tallies) {
      for (const name of Object.keys(t) as TallyName[]) if (t[name] !== 0) this.count(actor, name, t[name]);
    }
    this.tallies.clear();
    for (const [actor, slots] of this.exchanges) {
      slots.forEach((n, slot) => {
        if (n > 0) this.count(actor, `${EXCHANGES[Math.floor(slot / SPECIES_SLOTS)]}:${slot % SPECIES_SLOTS}`, n);
      });
    }
    this.exchanges.clear();
    const data: IntervalData = {
      interval,
      events: this.events,
      metrics: this.metrics.drain(),
      links: [...this.links.values()].sort((a, b) => a.link - b.link || Number(a.reverse) - Number(b.reverse) || a.species - b.species),
      drops: [...this.drops].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reason, packets]) => ({ reason, packets })),
      energy,
      transitions: this.allTransitions().sort((a, b) => a.actor - b.actor || cmp(a.mechanism, b.mechanism) || a.fromState - b.fromState || a.toState - b.toState),
      counters: [...this.counters.values()].sort(byActorThenName((c) => c.name)),
      traceEvents: this.traceEvents,
    };
    this.traceEvents = [];
    this.events = 0;
    this.links.clear();
    this.drops.clear();
    this.transitions.clear();
    this.counters.clear();
    return data;
  }

  private allTransitions(): TransitionCount[] {
    const out: TransitionCount[] = [];
    for (const byMechanism of this.transitions.values()) for (const byStates of byMechanism.values()) out.push(...byStates.values());
    return out;
  }

  isEmpty(): boolean {
    return this.events === 0 && this.traceEvents.length === 0 && this.links.size === 0 && this.drops.size === 0 && this.transitions.size === 0 && this.counters.size === 0 && this.tallies.size === 0 && this.exchanges.size === 0;
  }
}

const STATE_SPAN = 1 << 15;

/**
 * One map key for a (from, to) pair of states: a small integer (a V8 Smi, hashed without allocation) when both
 * are whole numbers below 2^15, as queue lengths and mode indices are; a string otherwise.
 */
function stateKey(fromState: number, toState: number): number | string {
  if ((fromState & (STATE_SPAN - 1)) === fromState && (toState & (STATE_SPAN - 1)) === toState) return fromState * STATE_SPAN + toState;
  return `${fromState}>${toState}`;
}

/** The inner map under `key`, created when missing (no closure per call: this runs for every counted transition). */
function getOrCreate<K, K2, V2>(map: Map<K, Map<K2, V2>>, key: K): Map<K2, V2> {
  let v = map.get(key);
  if (v === undefined) {
    v = new Map();
    map.set(key, v);
  }
  return v;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
