/**
 * The irreversibility ledger (docs/thermo.md): packets as particles, mechanisms resolved by species (mechanisms.ts).
 * From the pooled counts after the warm-up: the finite Schnakenberg σ over the pairs seen in both directions
 * (currents, forces, σ per link, node and rack, jackknife and batch-means errors, cycle decomposition); the pairs
 * seen one way only apart, as irreversible currents with a 95% lower bound on what each dissipates (their reverse
 * rate is unobserved, so no finite total includes them and no pseudo-count invents one); the G test of detailed
 * balance over all pairs; and the TUR for the strongest link currents, only where σ is finite.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import {
  detailedBalanceTest,
  estimateSigmaWithErrors,
  estimateTur,
  fundamentalCycles,
  type CountBatch,
  type EdgeEstimate,
} from "../thermo/index.ts";
import type { Batch, BatchTotals } from "./batches.ts";
import { SPECIES_SLOTS } from "../counts/aggregate.ts";
import { ENVIRONMENT, parseMechanism, speciesName, type HopColumns } from "./mechanisms.ts";

const TOP_CYCLES = 10;
const TOP_TUR_LINKS = 5;

/** Poisson 95% upper bound on a count observed as 0 (−ln 0.05): how often an unseen reverse could have happened. */
const UNSEEN_REVERSE_UPPER = -Math.log(0.05);

const MECHANISMS_NOTE =
  "mechanisms are resolved by species: hop (a link, each direction paired with the other), create, consume and loss (exchange with the environment at an actor; a dropped packet leaves where it was dropped)";

/**
 * What a pair seen n times one way and never back dissipates at least, at 95%: its reverse count could have been
 * up to r = −ln 0.05 ≈ 3, so σ ≥ (n − r)/T · ln(n/r). It grows like ln n with the run: a bound, not an estimate.
 */
function irreversibleLowerBound(count: number, totalS: number): number {
  return count > UNSEEN_REVERSE_UPPER
    ? ((count - UNSEEN_REVERSE_UPPER) / totalS) * Math.log(count / UNSEEN_REVERSE_UPPER)
    : 0;
}

/** `totals`: the sums over the same batches' interval records (BatchTotals, added up as they closed). */
export function irreversibilityLedger(scenario: ResolvedScenario, batches: readonly Batch[], totals: BatchTotals) {
  const totalS = batches.reduce((s, b) => s + b.durationS, 0);
  const countBatches: readonly CountBatch[] = batches; // their counts made as the estimate reads them
  if (countBatches.length < 2 || countBatches.every((b) => b.counts.length === 0)) {
    return {
      mechanisms: MECHANISMS_NOTE,
      duration_s: totalS,
      batches: countBatches.length,
      note: "fewer than 2 batches with traffic after the warm-up: no estimate",
    };
  }
  const withErrors = estimateSigmaWithErrors(countBatches, { unseenReverse: "irreversible" });
  const estimate = withErrors.estimate;
  const indexById = new Map(scenario.actors.map((a) => [a.id, a.index]));
  const _linkById = new Map(scenario.links.map((l) => [l.id, l]));

  const irreversible = estimate.irreversible.map((e) => {
    const m = parseMechanism(e.mechanism);
    return {
      kind: m.kind,
      species: m.species,
      /** Link id for a hop, else null. */
      link: m.kind === "hop" ? m.where : null,
      /** Actor id for create, consume and loss, else null. */
      actor: m.kind === "hop" ? null : m.where,
      from: e.from,
      to: e.to,
      count: e.count,
      current_per_s: e.currentPerS,
      sigma_lower_bound_kb_per_s: irreversibleLowerBound(e.count, totalS),
    };
  });
  const sigmaByActor = new Float64Array(scenario.actors.length);
  const exchanges = exchangeTable(scenario, totals, totalS);
  const finiteLinks = estimate.edges.flatMap((e, i) => {
    const m = parseMechanism(e.mechanism);
    if (m.kind !== "hop") {
      // An exchange with the environment belongs wholly to its actor.
      sigmaByActor[indexById.get(m.where)!]! += e.sigmaKbPerS;
      return [];
    }
    sigmaByActor[indexById.get(e.from)!]! += e.sigmaKbPerS / 2; // each end of a link carries half its σ
    sigmaByActor[indexById.get(e.to)!]! += e.sigmaKbPerS / 2;
    return [linkRow(scenario, totals, totalS, e, m.where, m.species, withErrors.edgeStderr[i]?.sigmaKbPerS ?? null)];
  });
  const oneWayLinks = irreversible
    .filter((r) => r.kind === "hop")
    .map((r) => ({
      link: r.link!,
      species: r.species,
      from: r.from,
      to: r.to,
      packets_forward: r.count,
      packets_reverse: 0,
      net_current_packets_per_s: r.current_per_s,
      net_current_bytes_per_s: null,
      force_kb: null,
      sigma_kb_per_s: 0,
      sigma_stderr_kb_per_s: null,
      reverse_never_seen: true,
      sigma_lower_bound_kb_per_s: r.sigma_lower_bound_kb_per_s,
    }));
  const links = [...finiteLinks, ...oneWayLinks].sort((x, y) =>
    x.link === y.link ? (x.species < y.species ? -1 : x.species > y.species ? 1 : 0) : x.link < y.link ? -1 : 1,
  );
  const nodes = scenario.actors
    .map((a) => ({ actor: a.id, sigma_kb_per_s: sigmaByActor[a.index]! }))
    .filter((n) => n.sigma_kb_per_s > 0);
  const racks = sumByLabel(scenario, sigmaByActor, "rack");
  const test = detailedBalanceTest(estimate);

  // Cycle graph of the finite pairs: actors by index, the environment as one extra node.
  const nodeOf = (id: string) => (id === ENVIRONMENT ? scenario.actors.length : indexById.get(id)!);
  const cycleEdges = estimate.edges.map((e) => ({
    from: nodeOf(e.from),
    to: nodeOf(e.to),
    currentPerS: e.netCurrentPerS,
    forceKb: e.forceKb,
  }));
  const decomposition = fundamentalCycles(scenario.actors.length + 1, cycleEdges);
  const nodeName = (n: number) => (n === scenario.actors.length ? ENVIRONMENT : scenario.actors[n]!.id);
  const sigmaFinite = irreversible.length === 0;

  return {
    mechanisms: MECHANISMS_NOTE,
    duration_s: totalS,
    batches: withErrors.batches,
    sigma_kb_per_s: estimate.sigmaKbPerS,
    sigma_w_per_k: estimate.sigmaKbPerS * 1.380649e-23,
    sigma_stderr_jackknife_kb_per_s: withErrors.jackknife.stderrKbPerS,
    sigma_stderr_batch_means_kb_per_s: withErrors.batchMeans.stderrKbPerS,
    sigma_bias_corrected_kb_per_s: withErrors.jackknife.biasCorrectedKbPerS,
    sigma_covers_all_mechanisms: sigmaFinite,
    note: sigmaFinite
      ? null
      : `${irreversible.length} mechanism(s) seen in one direction only: their reverse was never observed, so the total entropy production is unbounded in this model. sigma_kb_per_s sums only the pairs seen both ways; irreversible_currents lists the others, each with a 95% lower bound that grows with the run length (not an estimate)`,
    irreversible_currents: irreversible,
    irreversible_sigma_lower_bound_kb_per_s: irreversible.reduce((t, r) => t + r.sigma_lower_bound_kb_per_s, 0),
    detailed_balance_test: {
      test: "G (likelihood ratio of symmetric pair fluxes, all pairs)",
      statistic: test.statistic,
      dof: test.dof,
      confidence: test.confidence,
      threshold: test.threshold,
      p_value: test.pValue,
      equilibrium_rejected: test.reject,
    },
    links,
    environment_exchange: exchanges,
    nodes,
    racks,
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
    tur: turRows(scenario, batches, links, sigmaFinite ? estimate.sigmaKbPerS : null),
    queue_transitions: queueTransitions(scenario, totals, totalS),
  };
}

const linkIndexes = new WeakMap<ResolvedScenario, Map<string, ResolvedScenario["links"][number]>>();

/** Links by id, built once per scenario (a find per row was quadratic in the link count). */
function linkIndex(scenario: ResolvedScenario): Map<string, ResolvedScenario["links"][number]> {
  let index = linkIndexes.get(scenario);
  if (index === undefined) linkIndexes.set(scenario, (index = new Map(scenario.links.map((l) => [l.id, l]))));
  return index;
}

function linkRow(
  scenario: ResolvedScenario,
  totals: BatchTotals,
  totalS: number,
  e: EdgeEstimate,
  linkId: string,
  species: string,
  sigmaStderr: number | null,
) {
  const link = linkIndex(scenario).get(linkId)!;
  const forwardIsAB = e.from === scenario.actors[link.a]!.id;
  const bytesForward = totals.linkBytes[link.index * 2 + (forwardIsAB ? 0 : 1)]!;
  const bytesReverse = totals.linkBytes[link.index * 2 + (forwardIsAB ? 1 : 0)]!;
  return {
    link: linkId,
    species,
    from: e.from,
    to: e.to,
    packets_forward: e.forwardCount,
    packets_reverse: e.reverseCount,
    net_current_packets_per_s: e.netCurrentPerS,
    /** Bytes are not resolved by species: the link's net byte current, all species together. */
    net_current_bytes_per_s: ((bytesForward - bytesReverse) / totalS) as number | null,
    force_kb: e.forceKb as number | null,
    sigma_kb_per_s: e.sigmaKbPerS,
    sigma_stderr_kb_per_s: sigmaStderr,
    reverse_never_seen: false,
    sigma_lower_bound_kb_per_s: null as number | null,
  };
}

/**
 * TUR for the strongest link currents that are clearly non-zero (3 standard errors): σ_TUR = 2⟨J⟩²/(τ Var J) is a
 * lower bound on σ whatever else happens; Q and η_TUR compare it with σ, so they are given only when σ is finite
 * (every mechanism seen both ways). `bound_violated` flags Q < 2: the estimate contradicts the TUR (windows too
 * short or correlated, or σ underestimated), so neither figure should be trusted.
 */
function turRows(
  scenario: ResolvedScenario,
  batches: readonly Batch[],
  links: readonly { link: string; species: string; from: string; to: string; net_current_packets_per_s: number }[],
  sigmaKbPerS: number | null,
) {
  const windowS = batches[0]!.durationS;
  const fullBatches = batches.filter((b) => b.durationS === windowS);
  return links
    .map((l) => {
      const link = linkIndex(scenario).get(l.link)!;
      const forwardIsAB = l.from === scenario.actors[link.a]!.id;
      const species = speciesNumber(l.species);
      return { l, series: fullBatches.map((b) => netPackets(b.hops, link.index, forwardIsAB, species)) };
    })
    .filter(({ series }) => significant(series))
    .sort((x, y) => Math.abs(y.l.net_current_packets_per_s) - Math.abs(x.l.net_current_packets_per_s))
    .slice(0, TOP_TUR_LINKS)
    .map(({ l, series }) => {
      const t = estimateTur(series, windowS, sigmaKbPerS ?? 0);
      const q = sigmaKbPerS === null ? null : t.precisionCostQ;
      return {
        link: l.link,
        species: l.species,
        from: l.from,
        to: l.to,
        window_s: windowS,
        mean_current_per_window: t.meanPerWindow,
        sigma_tur_kb_per_s: t.sigmaTurKbPerS,
        precision_cost_q: q,
        eta_tur: sigmaKbPerS === null ? null : t.etaTur,
        valid: sigmaKbPerS !== null,
        flag:
          sigmaKbPerS === null
            ? "sigma_unbounded: irreversible mechanisms make σ infinite, so Q = ∞ and η_TUR = 0; only sigma_tur_kb_per_s (a lower bound on σ) is meaningful"
            : q !== null && q < 2
              ? "bound_violated: Q < 2 contradicts the TUR; the estimate is not trustworthy"
              : null,
        bound_violated: q !== null && q < 2,
      };
    });
}

/** Per actor and species: packets created, consumed and dropped there after the warm-up. */
function exchangeTable(scenario: ResolvedScenario, totals: BatchTotals, totalS: number) {
  return [...totals.exchanges.values()]
    .sort((x, y) => x.actor - y.actor || (x.species < y.species ? -1 : 1))
    .map(({ actor, species, created, consumed, dropped }) => ({
      actor: scenario.actors[actor]!.id,
      species,
      created,
      consumed,
      dropped,
      net_inflow_per_s: (created - consumed - dropped) / totalS,
    }));
}

/**
 * Queue-length moves by mechanism (e.g. a server's n → n+1 by "arrival", n → n−1 by "service"), per actor. Each
 * mechanism's reverse (n+1 → n by "arrival") is a different event that these models never produce, so these are
 * reported as irreversible currents (docs/thermo.md), never folded into σ as infinities.
 */
function queueTransitions(scenario: ResolvedScenario, totals: BatchTotals, totalS: number) {
  return [...totals.queueMoves.values()]
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

/** A species name's number (the inverse of speciesName over the species a record can hold). */
function speciesNumber(name: string): number {
  for (let s = 0; s < SPECIES_SLOTS; s++) if (speciesName(s) === name) return s;
  return -1;
}

/** Packets of one species that crossed a link from→to minus to→from in one interval (read from its hop columns). */
function netPackets(hops: HopColumns, link: number, forwardIsAB: boolean, species: number): number {
  if (species < 0) return 0;
  const ab = hopCount(hops, link * 2 * SPECIES_SLOTS + species);
  const ba = hopCount(hops, (link * 2 + 1) * SPECIES_SLOTS + species);
  return forwardIsAB ? ab - ba : ba - ab;
}

/** The count of one species-hop key (binary search of the ascending keys; 0 if absent). */
function hopCount(hops: HopColumns, key: number): number {
  let lo = 0;
  let hi = hops.keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = hops.keys[mid]!;
    if (k === key) return hops.counts[mid]!;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

function sumByLabel(scenario: ResolvedScenario, perActor: Float64Array, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of scenario.actors) {
    const value = a.labels[label];
    if (value !== undefined) out[value] = (out[value] ?? 0) + perActor[a.index]!;
  }
  return out;
}
