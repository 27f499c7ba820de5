/**
 * The runtime's view of a resolved scenario: plain data with every unit already converted (integer nanoseconds,
 * bits per second). Built by the scenario loader, shipped to hosts as JSON in RunStart.
 */

export interface RunSettings {
  name: string;
  seed: number;
  durationNs: number;
  quantumNs: number;
  metricsIntervalNs: number;
  /** Intervals that start before this time are left out of batch-means statistics. */
  warmupNs: number;
  /** Heat-sink temperature for the heat ledger (P/T, Landauer bound). */
  ambientTemperatureK: number;
  /** Share of new flows whose journeys are traced (0: tracing off). */
  traceSampleRatio: number;
}

export interface ActorSpec {
  /** Position in the scenario's actor table: the actor's name on the wire and its tie-break rank. */
  index: number;
  id: string;
  kind: string;
  /** Metrics aggregate over actors of a group (defaults to the kind). */
  group: string;
  labels: Record<string, string>;
  /** Model parameters, validated by the model's schema. */
  params: unknown;
}

export interface LinkSpec {
  index: number;
  id: string;
  /** Actor indices of the two ends. Direction a→b is owned by a's port, b→a by b's. */
  a: number;
  b: number;
  latencyNs: number;
  /** Bits per second; 0 means unlimited (no serialization delay). */
  bandwidthBps: number;
  /** Probability that a packet is lost on the wire. */
  loss: number;
}

export interface ResolvedScenario {
  run: RunSettings;
  actors: ActorSpec[];
  links: LinkSpec[];
}

/** One end of a link as seen by the actor that owns it. */
export interface Port {
  link: number;
  neighbor: number;
  /** false: this actor is the link's `a` end (direction a→b); true: it is the `b` end. */
  reverse: boolean;
}

/** Ports of every actor, in link order (deterministic). */
export function portsByActor(scenario: ResolvedScenario): Port[][] {
  const ports: Port[][] = scenario.actors.map(() => []);
  for (const link of scenario.links) {
    ports[link.a]!.push({ link: link.index, neighbor: link.b, reverse: false });
    ports[link.b]!.push({ link: link.index, neighbor: link.a, reverse: true });
  }
  return ports;
}

/** The smallest link latency: the lookahead that bounds a safe quantum. */
export function minLatencyNs(scenario: ResolvedScenario): number {
  return scenario.links.reduce((m, l) => Math.min(m, l.latencyNs), Number.POSITIVE_INFINITY);
}
