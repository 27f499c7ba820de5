/**
 * What a placement means for a run, as plain data (`dctwin place`, the benchmark): the links it cuts, the
 * lookahead they allow, the expected share of packet hops that cross hosts, and how actors and label groups fall
 * onto hosts.
 */
import { lookaheadNs } from "../../nodes/runtime/lookahead.ts";
import { networkNodes, type ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { expectedWork, linkDelayNs, type PlacementPlan } from "./place.ts";
import { LABEL_LEVELS } from "./partition.ts";

const SHORTEST_CUT_SHOWN = 5;
const SPLIT_GROUPS_SHOWN = 10;

export interface PlacementReport {
  hosts: number;
  actors: number;
  links: number;
  /** Null when no link is cut (windows then run from boundary to boundary). */
  lookahead_ns: number | null;
  /** Links shorter than this never cross hosts; null: none does (every link is inside a host), 0: any may. */
  kept_inside_below_ns: number | null;
  /** The label level kept whole by construction (finer levels are whole too when they nest in it). */
  label_level: string | null;
  traffic_estimate: "routes" | "uniform";
  cut_links: {
    count: number;
    shortest: { id: string; a: string; b: string; delay_ns: number; hosts: [number, number] }[];
  };
  /** Expected packet hops on cut links over all expected hops (from the traffic estimate). */
  cross_host_hop_share: number;
  expected_hops_per_s: number;
  per_host: { host: number; actors: number; by_kind: Record<string, number>; expected_work_share: number }[];
  /** Per label present in the scenario: its groups, those split over hosts, and groups per host. */
  label_groups: Record<string, { groups: number; split: number; split_examples: string[]; whole_per_host: number[] }>;
  /** Host of every actor, by id. */
  host_of: Record<string, number>;
}

export function describePlacement(scenario: ResolvedScenario, plan: PlacementPlan, hostCount: number): PlacementReport {
  const { hostOf } = plan;
  const node = networkNodes(scenario.actors);
  const traffic = plan.traffic.linkPacketsPerS;
  const cut = scenario.links.filter((l) => hostOf[node[l.a]!] !== hostOf[node[l.b]!]);
  let all = 0;
  let crossing = 0;
  for (const l of scenario.links) all += traffic[l.index]!;
  for (const l of cut) crossing += traffic[l.index]!;
  const shortest = [...cut]
    .sort((x, y) => linkDelayNs(x) - linkDelayNs(y) || x.index - y.index)
    .slice(0, SHORTEST_CUT_SHOWN);
  const lookahead = lookaheadNs(scenario, hostOf);
  const work = hostWork(scenario, plan, hostCount);
  return {
    hosts: hostCount,
    actors: scenario.actors.length,
    links: scenario.links.length,
    lookahead_ns: Number.isFinite(lookahead) ? lookahead : null,
    kept_inside_below_ns: Number.isFinite(plan.contractedBelowNs) ? plan.contractedBelowNs : null,
    label_level: plan.labelLevel,
    traffic_estimate: plan.traffic.method,
    cut_links: {
      count: cut.length,
      shortest: shortest.map((l) => ({
        id: l.id,
        a: scenario.actors[l.a]!.id,
        b: scenario.actors[l.b]!.id,
        delay_ns: linkDelayNs(l),
        hosts: [hostOf[node[l.a]!]!, hostOf[node[l.b]!]!],
      })),
    },
    cross_host_hop_share: all > 0 ? crossing / all : 0,
    expected_hops_per_s: plan.traffic.method === "routes" ? all : 0,
    per_host: Array.from({ length: hostCount }, (_, host) => {
      const mine = scenario.actors.filter((a) => hostOf[a.index] === host);
      const byKind: Record<string, number> = {};
      for (const a of mine) byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
      return { host, actors: mine.length, by_kind: byKind, expected_work_share: work[host]! };
    }),
    label_groups: labelGroups(scenario, hostOf, hostCount),
    host_of: Object.fromEntries(scenario.actors.map((a) => [a.id, hostOf[a.index]!])),
  };
}

/** Each host's share of the expected work the partitioner balances (place.ts `expectedWork`). */
function hostWork(scenario: ResolvedScenario, plan: PlacementPlan, hostCount: number): number[] {
  const work = new Array<number>(hostCount).fill(0);
  const weight = expectedWork(scenario, plan.traffic);
  let sum = 0;
  for (let i = 0; i < weight.length; i++) {
    work[plan.hostOf[i]!]! += weight[i]!;
    sum += weight[i]!;
  }
  return work.map((w) => (sum > 0 ? w / sum : 0));
}

function labelGroups(
  scenario: ResolvedScenario,
  hostOf: readonly number[],
  hostCount: number,
): PlacementReport["label_groups"] {
  const out: PlacementReport["label_groups"] = {};
  for (const level of LABEL_LEVELS) {
    const hostsOfGroup = new Map<string, Set<number>>();
    for (const a of scenario.actors) {
      const value = a.labels[level];
      if (value === undefined) continue;
      let hosts = hostsOfGroup.get(value);
      if (hosts === undefined) hostsOfGroup.set(value, (hosts = new Set()));
      hosts.add(hostOf[a.index]!);
    }
    if (hostsOfGroup.size === 0) continue;
    const split = [...hostsOfGroup].filter(([, hosts]) => hosts.size > 1).map(([group]) => group);
    const wholePerHost = new Array<number>(hostCount).fill(0);
    for (const hosts of hostsOfGroup.values()) if (hosts.size === 1) wholePerHost[[...hosts][0]!]!++;
    out[level] = {
      groups: hostsOfGroup.size,
      split: split.length,
      split_examples: split.slice(0, SPLIT_GROUPS_SHOWN),
      whole_per_host: wholePerHost,
    };
  }
  return out;
}
