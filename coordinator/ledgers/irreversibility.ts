/**
 * The irreversibility ledger (THERMO.md): packets as particles. Each link is one mechanism whose forward hop
 * a→b pairs with the reverse hop b→a over the same link. From the pooled hop counts after the warm-up: currents,
 * forces, Schnakenberg entropy production per link, node, rack and in total (pseudo-count α stated, pairs with a
 * never-seen reverse listed apart), jackknife and batch-means errors, the χ² test of detailed balance, the cycle
 * decomposition, and the TUR for the strongest link currents.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import {
  DEFAULT_PSEUDO_COUNT,
  detailedBalanceTest,
  estimateSigmaWithErrors,
  estimateTur,
  fundamentalCycles,
  type CountBatch,
  type TransitionCount,
} from "../thermo/index.ts";
import type { IntervalRecord } from "../results/aggregate.ts";
import type { Batch } from "./batches.ts";

const TOP_CYCLES = 10;
const TOP_TUR_LINKS = 5;

/**
 * The environment: where packets come from when an actor creates them and go when one consumes or drops them.
 * Exchange with it at actor X is one mechanism (`reservoir@X`, a chemostat in CRN terms): injection is its
 * forward direction and removal its reverse. It closes the service paths of an open network into cycles
 * (environment → client → … → server → environment), so one-way flows show up as cycle currents.
 */
export const ENVIRONMENT = "(environment)";

/** The actors and links a count needs (a resolved scenario, or the observability's run view). */
export interface CountTopology {
  actors: readonly { id: string }[];
  links: readonly { id: string; a: number; b: number }[];
}

/** Hop and exchange counts of one interval as mechanism-resolved transitions between actor ids. */
export function intervalCounts(scenario: CountTopology, record: IntervalRecord): TransitionCount[] {
  // Sorted keys: the maps fill in the order host reports arrive, and the estimator's sums (and its edge list)
  // must not depend on how many hosts there were.
  const counts: TransitionCount[] = [];
  for (const [key, t] of sortedEntries(record.links)) {
    const link = scenario.links[key >> 1]!;
    const [from, to] = (key & 1) === 0 ? [link.a, link.b] : [link.b, link.a];
    counts.push({ from: scenario.actors[from]!.id, to: scenario.actors[to]!.id, mechanism: link.id, count: t.packets });
  }
  for (const [actor, counters] of sortedEntries(record.counters)) {
    const id = scenario.actors[actor]!.id;
    const injected = counters.get("packets_injected") ?? 0;
    const removed = counters.get("packets_removed") ?? 0;
    if (injected > 0) counts.push({ from: ENVIRONMENT, to: id, mechanism: `reservoir@${id}`, count: injected });
    if (removed > 0) counts.push({ from: id, to: ENVIRONMENT, mechanism: `reservoir@${id}`, count: removed });
  }
  return counts;
}

function sortedEntries<V>(map: ReadonlyMap<number, V>): [number, V][] {
  return [...map].sort((x, y) => x[0] - y[0]);
}

export function irreversibilityLedger(scenario: ResolvedScenario, batches: readonly Batch[]) {
  const totalS = batches.reduce((s, b) => s + b.durationS, 0);
  const countBatches: CountBatch[] = batches.map((b) => ({ durationS: b.durationS, counts: intervalCounts(scenario, b.record) }));
  if (countBatches.length < 2 || countBatches.every((b) => b.counts.length === 0)) {
    return { pseudo_count: DEFAULT_PSEUDO_COUNT, duration_s: totalS, batches: countBatches.length, note: "fewer than 2 batches with traffic after the warm-up: no estimate" };
  }
  const withErrors = estimateSigmaWithErrors(countBatches, { unseenReverse: "pseudoCount", pseudoCount: DEFAULT_PSEUDO_COUNT });
  const estimate = withErrors.estimate;
  const indexById = new Map(scenario.actors.map((a) => [a.id, a.index]));
  const linkById = new Map(scenario.links.map((l) => [l.id, l]));

  const sigmaByActor = new Float64Array(scenario.actors.length);
  const exchanges: { actor: string; injected: number; removed: number; net_inflow_per_s: number; force_kb: number; sigma_kb_per_s: number }[] = [];
  const linkEdges = estimate.edges.flatMap((e, i) => {
    if (e.from === ENVIRONMENT || e.to === ENVIRONMENT) {
      // An exchange with the environment belongs wholly to its actor.
      const inward = e.from === ENVIRONMENT;
      const actor = inward ? e.to : e.from;
      sigmaByActor[indexById.get(actor)!]! += e.sigmaKbPerS;
      exchanges.push({
        actor,
        injected: inward ? e.forwardCount : e.reverseCount,
        removed: inward ? e.reverseCount : e.forwardCount,
        net_inflow_per_s: inward ? e.netCurrentPerS : -e.netCurrentPerS,
        force_kb: inward ? e.forceKb : -e.forceKb,
        sigma_kb_per_s: e.sigmaKbPerS,
      });
      return [];
    }
    return [{ e, i }];
  });
  const links = linkEdges.map(({ e, i }) => {
    sigmaByActor[indexById.get(e.from)!]! += e.sigmaKbPerS / 2; // each end of a link carries half its σ
    sigmaByActor[indexById.get(e.to)!]! += e.sigmaKbPerS / 2;
    const link = linkById.get(e.mechanism)!;
    const bytesForward = sumBytes(batches, link.index, e.from === scenario.actors[link.a]!.id);
    const bytesReverse = sumBytes(batches, link.index, e.from !== scenario.actors[link.a]!.id);
    return {
      link: e.mechanism,
      from: e.from,
      to: e.to,
      packets_forward: e.forwardCount,
      packets_reverse: e.reverseCount,
      net_current_packets_per_s: e.netCurrentPerS,
      net_current_bytes_per_s: (bytesForward - bytesReverse) / totalS,
      force_kb: e.forceKb,
      sigma_kb_per_s: e.sigmaKbPerS,
      sigma_stderr_kb_per_s: withErrors.edgeStderr[i]?.sigmaKbPerS ?? null,
      reverse_never_seen: e.reverseCount === 0,
    };
  });
  const nodes = scenario.actors.map((a) => ({ actor: a.id, sigma_kb_per_s: sigmaByActor[a.index]! })).filter((n) => n.sigma_kb_per_s > 0);
  const racks = sumByLabel(scenario, sigmaByActor, "rack");
  const test = detailedBalanceTest(estimate);

  // Cycle graph: actors by index, the environment as one extra node.
  const nodeOf = (id: string) => (id === ENVIRONMENT ? scenario.actors.length : indexById.get(id)!);
  const cycleEdges = estimate.edges.map((e) => ({ from: nodeOf(e.from), to: nodeOf(e.to), currentPerS: e.netCurrentPerS, forceKb: e.forceKb }));
  const decomposition = fundamentalCycles(scenario.actors.length + 1, cycleEdges);
  const nodeName = (n: number) => (n === scenario.actors.length ? ENVIRONMENT : scenario.actors[n]!.id);

  // TUR for the strongest link currents that are clearly non-zero (3 standard errors): a current that is zero
  // within noise has no precision to speak of.
  const windowS = batches[0]!.durationS;
  const fullBatches = batches.filter((b) => b.durationS === windowS);
  const tur = links
    .map((l) => {
      const link = linkById.get(l.link)!;
      const forwardIsAB = l.from === scenario.actors[link.a]!.id;
      return { l, series: fullBatches.map((b) => netPackets(b.record, link.index, forwardIsAB)) };
    })
    .filter(({ series }) => significant(series))
    .sort((x, y) => Math.abs(y.l.net_current_packets_per_s) - Math.abs(x.l.net_current_packets_per_s))
    .slice(0, TOP_TUR_LINKS)
    .map(({ l, series }) => {
      const t = estimateTur(series, windowS, estimate.sigmaKbPerS);
      return { link: l.link, from: l.from, to: l.to, window_s: windowS, mean_current_per_window: t.meanPerWindow, sigma_tur_kb_per_s: t.sigmaTurKbPerS, precision_cost_q: t.precisionCostQ, eta_tur: t.etaTur };
    });

  return {
    pseudo_count: estimate.pseudoCount,
    duration_s: totalS,
    batches: withErrors.batches,
    sigma_kb_per_s: estimate.sigmaKbPerS,
    sigma_w_per_k: estimate.sigmaKbPerS * 1.380649e-23,
    sigma_stderr_jackknife_kb_per_s: withErrors.jackknife.stderrKbPerS,
    sigma_stderr_batch_means_kb_per_s: withErrors.batchMeans.stderrKbPerS,
    sigma_bias_corrected_kb_per_s: withErrors.jackknife.biasCorrectedKbPerS,
    detailed_balance_test: { statistic_kb: test.statisticKb, dof: test.dof, confidence: test.confidence, threshold_kb: test.thresholdKb, p_value: test.pValue, equilibrium_rejected: test.reject },
    links,
    environment_exchange: exchanges,
    nodes,
    racks,
    pairs_with_reverse_never_seen: links.filter((l) => l.reverse_never_seen).map((l) => ({ link: l.link, from: l.from, to: l.to, current_packets_per_s: l.net_current_packets_per_s })),
    cycles: {
      independent: estimate.independentCycles,
      sigma_from_cycles_kb_per_s: decomposition.sigmaKbPerS,
      top: decomposition.cycles.slice(0, TOP_CYCLES).map((c) => ({
        nodes: c.nodes.map(nodeName),
        affinity_kb: c.affinityKb,
        current_per_s: c.currentPerS,
        sigma_kb_per_s: c.sigmaKbPerS,
      })),
    },
    tur,
    queue_transitions: queueTransitions(scenario, batches, totalS),
  };
}

/**
 * Queue-length moves by mechanism (e.g. a server's n → n+1 by "arrival", n → n−1 by "service"), per actor. Each
 * mechanism's reverse (n+1 → n by "arrival") is a different event that these models never produce, so these are
 * reported as irreversible currents (THERMO.md), never folded into σ as infinities.
 */
function queueTransitions(scenario: ResolvedScenario, batches: readonly Batch[], totalS: number) {
  const byKey = new Map<string, { actor: number; mechanism: string; up: number; down: number }>();
  for (const b of batches) {
    for (const t of b.record.transitions.values()) {
      const key = `${t.actor}|${t.mechanism}`;
      let entry = byKey.get(key);
      if (entry === undefined) {
        entry = { actor: t.actor, mechanism: t.mechanism, up: 0, down: 0 };
        byKey.set(key, entry);
      }
      if (t.toState > t.fromState) entry.up += t.count;
      else entry.down += t.count;
    }
  }
  return [...byKey.values()]
    .sort((a, b) => a.actor - b.actor || (a.mechanism < b.mechanism ? -1 : 1))
    .map((e) => ({
      actor: scenario.actors[e.actor]!.id,
      mechanism: e.mechanism,
      moves_up: e.up,
      moves_down: e.down,
      current_per_s: (e.up - e.down) / totalS,
      irreversible: e.up === 0 || e.down === 0,
    }));
}

/** Mean more than 3 standard errors from zero. */
function significant(series: readonly number[]): boolean {
  if (series.length < 2) return false;
  const mean = series.reduce((s, x) => s + x, 0) / series.length;
  const variance = series.reduce((s, x) => s + (x - mean) ** 2, 0) / (series.length - 1);
  return Math.abs(mean) > 3 * Math.sqrt(variance / series.length);
}

function sumBytes(batches: readonly Batch[], link: number, aToB: boolean): number {
  return batches.reduce((s, b) => s + (b.record.links.get(link * 2 + (aToB ? 0 : 1))?.bytes ?? 0), 0);
}

function netPackets(record: IntervalRecord, link: number, forwardIsAB: boolean): number {
  const ab = record.links.get(link * 2)?.packets ?? 0;
  const ba = record.links.get(link * 2 + 1)?.packets ?? 0;
  return forwardIsAB ? ab - ba : ba - ab;
}

function sumByLabel(scenario: ResolvedScenario, perActor: Float64Array, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of scenario.actors) {
    const value = a.labels[label];
    if (value !== undefined) out[value] = (out[value] ?? 0) + perActor[a.index]!;
  }
  return out;
}
