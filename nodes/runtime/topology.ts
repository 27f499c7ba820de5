/**
 * The runtime's view of a resolved scenario: plain data with every unit already converted (integer nanoseconds,
 * bits per second). Built by the scenario loader, shipped to hosts as JSON in RunStart.
 */

/** Grid carbon intensity over time and embodied carbon per actor kind (from `run.carbon`). */
export interface CarbonSettings {
  /** Steps sorted by time; the first value also holds before its time. */
  intensity: { atNs: number; gPerKwh: number }[];
  /** Embodied carbon per second of one actor of each kind (kgCO2e · 1000 / lifetime). */
  embodiedGPerSByKind: Record<string, number>;
}

export interface RunSettings {
  name: string;
  seed: number;
  durationNs: number;
  quantumNs: number;
  metricsIntervalNs: number;
  /** Intervals that start before this time are left out of batch-means statistics. */
  warmupNs: number;
  /** `warmup: auto`: the results take the warm-up MSER-5 finds (coordinator/results/warmup.ts) instead of warmupNs. */
  warmupAuto?: true;
  /** Heat-sink temperature for the heat ledger (P/T, Landauer bound). */
  ambientTemperatureK: number;
  /** Share of the IT and cooling energy lost in power distribution (UPS, PDUs, cabling): counted in PUE. */
  distributionLoss: number;
  /** Share of new flows whose journeys are traced (0: tracing off). */
  traceSampleRatio: number;
  /** Grid carbon intensity and embodied carbon (scenario/carbon.ts); null when not modelled. */
  carbon: CarbonSettings | null;
  /** Fidelity: every packet an event, or leaps of `leap.stepNs` (docs/leap.md); absent means exact. */
  mode?: "exact" | "leap";
  leap?: LeapSettings;
}

/** Leap mode's resolved settings (scenario/leap-settings.ts). */
export interface LeapSettings {
  stepNs: number;
  epsilon: number;
  fastRatio: number;
  /** Sojourn samples per packet and step at a quasi-steady queue. */
  samples: number;
  /** Hybrid runs: indices of the actors that keep their exact models (scenario/leap-hybrid.ts); absent: none. */
  exact?: number[];
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
  /**
   * Software components only (service, store): index of the server whose CPU the component runs on. A component
   * has no links of its own: it is reached through its server's network node and sends through its server's NIC
   * (see `networkNodes`), and it always runs on its server's host.
   */
  placedOn?: number;
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
  /** Draw of each port while idle, W (scenario/link-power.ts); absent: the link draws nothing. */
  idleW?: number;
  /** Extra draw of a port while it serializes, W. */
  busyExtraW?: number;
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

/**
 * Ports of every actor, in link order (deterministic). Each list is exactly as long as the actor's ports (an
 * array grown by push keeps room for 17 and more: ~130 bytes per actor of a 4,000-actor scenario).
 */
export function portsByActor(scenario: ResolvedScenario): Port[][] {
  const ports: Port[][] = scenario.actors.map(() => []);
  for (const link of scenario.links) {
    ports[link.a]!.push({ link: link.index, neighbor: link.b, reverse: false });
    ports[link.b]!.push({ link: link.index, neighbor: link.a, reverse: true });
  }
  return ports.map((list) => list.slice());
}

/**
 * The network node of every actor: itself, or for a component the server it is placed on. Routing computes paths
 * between network nodes; a packet addressed to a component travels to its server's node, crosses the server's
 * link, and is handed to the component on arrival (no simulated time: the NIC delivers to the process).
 */
export function networkNodes(actors: readonly ActorSpec[]): Int32Array {
  return Int32Array.from(actors, (a) => a.placedOn ?? a.index);
}

/** The smallest link latency: the lookahead that bounds a safe quantum. */
export function minLatencyNs(scenario: ResolvedScenario): number {
  return scenario.links.reduce((m, l) => Math.min(m, l.latencyNs), Number.POSITIVE_INFINITY);
}
