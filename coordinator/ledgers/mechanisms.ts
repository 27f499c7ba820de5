/**
 * The mechanisms of the irreversibility ledger (docs/thermo.md: pair each transition with its own reverse, mechanism by
 * mechanism), resolved by packet species so that a request going one way and its response coming back are two
 * currents, not one pair that looks balanced:
 * - `hop`: a packet of one species crossing link ℓ; a→b pairs with b→a over the same link, same species;
 * - `create`: a packet of one species entering the network at actor X (from the environment);
 * - `consume`: a packet of one species leaving at X because it reached its end (to the environment);
 * - `loss`: a packet of one species dropped at X (queue full, link loss, actor down, ...): it goes to the
 *   environment at X, never back to where it came from.
 * The reverse of create, consume or loss is never produced by these models: they are irreversible currents.
 */
import type { TransitionCount } from "../thermo/index.ts";
import { SPECIES_SLOTS, type IntervalRecord } from "../counts/aggregate.ts";
import { CompactNested } from "../counts/compact-nested.ts";
import { sortedKeys } from "../counts/sorted-keys.ts";

/** The environment: where packets come from when an actor creates them and go when one consumes or drops them. */
export const ENVIRONMENT = "(environment)";

export type MechanismKind = "hop" | "create" | "consume" | "loss";

/** Names of proto enum Species, by number. */
const SPECIES_NAMES = ["unspecified", "request", "response", "transfer", "control"];

export function speciesName(species: number): string {
  return SPECIES_NAMES[species] ?? `species_${species}`;
}

/** The actors and links a count needs (a resolved scenario, or the observability's run view). */
export interface CountTopology {
  actors: readonly { id: string }[];
  links: readonly { id: string; a: number; b: number }[];
}

export interface Mechanism {
  kind: MechanismKind;
  species: string;
  /** Link id for hops, actor id otherwise. */
  where: string;
}

/** Mechanism names carry their description; ids cannot contain "|" (scenario/schema.ts). */
export function mechanismName(m: Mechanism): string {
  return `${m.kind}|${m.species}|${m.where}`;
}

/** Kind, species and place: the text before the first "|", between it and the second, and after the second. */
export function parseMechanism(name: string): Mechanism {
  const first = name.indexOf("|");
  if (first < 0) return { kind: name as MechanismKind, species: "", where: "" };
  const second = name.indexOf("|", first + 1);
  return second < 0
    ? { kind: name.slice(0, first) as MechanismKind, species: name.slice(first + 1), where: "" }
    : {
        kind: name.slice(0, first) as MechanismKind,
        species: name.slice(first + 1, second),
        where: name.slice(second + 1),
      };
}

const EXCHANGE_COUNTER = /^(created|consumed|dropped):(\d+)$/;
const EXCHANGE_KIND: Record<string, MechanismKind> = { created: "create", consumed: "consume", dropped: "loss" };

/** An exchange counter's mechanism kind and species name (null: not an exchange counter), by counter name. */
const exchangeByName = new Map<string, { kind: MechanismKind; species: string } | null>();

export function exchangeOf(name: string): { kind: MechanismKind; species: string } | null {
  let exchange = exchangeByName.get(name);
  if (exchange === undefined) {
    const match = EXCHANGE_COUNTER.exec(name);
    exchange = match === null ? null : { kind: EXCHANGE_KIND[match[1]!]!, species: speciesName(Number(match[2])) };
    exchangeByName.set(name, exchange);
  }
  return exchange;
}

/**
 * Mechanism names of a topology, made once and shared by every interval (a large run has tens of thousands of
 * mechanisms per interval; building each name again every interval was most of a ledger snapshot's allocation):
 * hop names by species-hop key, exchange names by counter name and actor index.
 */
interface NameCache {
  hops: Map<number, string>;
  exchanges: Map<string, string[]>;
}
const nameCaches = new WeakMap<CountTopology, NameCache>();

function namesOf(topology: CountTopology): NameCache {
  let cache = nameCaches.get(topology);
  if (cache === undefined) {
    cache = { hops: new Map(), exchanges: new Map() };
    nameCaches.set(topology, cache);
  }
  return cache;
}

/** An interval's species hops as columns in ascending key order: what a ledger snapshot keeps of them. */
export interface HopColumns {
  keys: Float64Array;
  counts: Float64Array;
}

export function hopColumns(record: IntervalRecord): HopColumns {
  const keys = sortedKeys(record.speciesHops);
  const counts = new Float64Array(keys.length);
  for (let i = 0; i < keys.length; i++) counts[i] = record.speciesHops.get(keys[i]!)!;
  return { keys, counts };
}

/** Hop and exchange counts of one interval record (intervalCountsOf of its columns). */
export function intervalCounts(topology: CountTopology, record: IntervalRecord): Readonly<TransitionCount>[] {
  return intervalCountsOf(topology, hopColumns(record), CompactNested.of(record.counters));
}

/**
 * Hop and exchange counts of one interval as mechanism-resolved transitions between actor ids (each frozen: a
 * ledger snapshot holds them), from its hop columns and its counters (read from the columns, not a record, so a
 * snapshot that makes them when first read holds no record).
 */
export function intervalCountsOf(
  topology: CountTopology,
  hops: HopColumns,
  counters: CompactNested,
): Readonly<TransitionCount>[] {
  // Sorted keys and actors: the records fill in the order host reports arrive, and the estimator's sums (and its
  // edge list) must not depend on how many hosts there were.
  const names = namesOf(topology);
  const counts: Readonly<TransitionCount>[] = [];
  for (let i = 0; i < hops.keys.length; i++) {
    const key = hops.keys[i]!;
    const direction = Math.floor(key / SPECIES_SLOTS);
    const link = topology.links[direction >> 1]!;
    const forward = (direction & 1) === 0;
    let mechanism = names.hops.get(key);
    if (mechanism === undefined) {
      mechanism = mechanismName({ kind: "hop", species: speciesName(key % SPECIES_SLOTS), where: link.id });
      names.hops.set(key, mechanism);
    }
    counts.push(
      Object.freeze({
        from: topology.actors[forward ? link.a : link.b]!.id,
        to: topology.actors[forward ? link.b : link.a]!.id,
        mechanism,
        count: hops.counts[i]!,
      }),
    );
  }
  exchangeCounts(topology, counters, counts);
  return counts;
}

/**
 * Exchange counts (counters `created:<species>`, `consumed:…`, `dropped:…` above zero) by ascending actor, each
 * actor's in counter-name order, read from the counter columns: the record's few names are classified and ranked
 * once, then every actor's entries are visited in place.
 */
function exchangeCounts(topology: CountTopology, counters: CompactNested, counts: Readonly<TransitionCount>[]): void {
  const names = namesOf(topology);
  const vocabulary = counters.nameList();
  const exchanges = vocabulary.map(exchangeOf);
  // Each exchange name's mechanism names by actor, and its rank in name order (to sort an actor's entries).
  const byActor = vocabulary.map((name, n) => {
    if (exchanges[n] === null) return [];
    let cached = names.exchanges.get(name);
    if (cached === undefined) names.exchanges.set(name, (cached = []));
    return cached;
  });
  const rank = new Float64Array(vocabulary.length);
  [...vocabulary.keys()]
    .sort((a, b) => (vocabulary[a]! < vocabulary[b]! ? -1 : vocabulary[a]! > vocabulary[b]! ? 1 : 0))
    .forEach((n, r) => {
      rank[n] = r;
    });
  const picked: number[] = [];
  for (const group of counters.sortedGroups()) {
    const actor = counters.actorOf(group);
    const id = topology.actors[actor]!.id;
    picked.length = 0;
    for (let e = counters.firstEntry(group); e < counters.endEntry(group); e++)
      if (exchanges[counters.nameNumber(e)] !== null && !(counters.amount(e) <= 0)) picked.push(e);
    if (picked.length > 1) picked.sort((a, b) => rank[counters.nameNumber(a)]! - rank[counters.nameNumber(b)]!);
    for (const e of picked) {
      const n = counters.nameNumber(e);
      const { kind, species } = exchanges[n]!;
      const mechanism = (byActor[n]![actor] ??= mechanismName({ kind, species, where: id }));
      const count = counters.amount(e);
      counts.push(
        Object.freeze(
          kind === "create"
            ? { from: ENVIRONMENT, to: id, mechanism, count }
            : { from: id, to: ENVIRONMENT, mechanism, count },
        ),
      );
    }
  }
}
