/** One closed metrics interval as the WatchMetrics stream sends it (proto IntervalMetrics). */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { LedgerSnapshot } from "../ledgers/snapshot.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";

/** A closed interval: its record and its ledger snapshot. */
export interface ClosedInterval {
  record: IntervalRecord;
  ledger: LedgerSnapshot;
}

export interface FaultCounts {
  activeFaults: number;
  faultedActors: number;
  faultedLinks: number;
  injected: number;
  cleared: number;
}

/**
 * `closed` null: an interval in which nothing was reported (no event, no energy), which spans [startNs, endNs);
 * otherwise its record and ledger snapshot, whose bounds the message takes.
 */
export function intervalMetrics(
  index: number,
  closed: ClosedInterval | null,
  startNs: number,
  endNs: number,
  faults: FaultCounts,
): dctwin.v1.IntervalMetrics.$Properties {
  const counts = {
    activeFaults: faults.activeFaults,
    faultedActors: faults.faultedActors,
    faultedLinks: faults.faultedLinks,
    faultsInjected: faults.injected,
    faultsCleared: faults.cleared,
  };
  if (closed === null)
    return { interval: index, startNs, endNs, events: 0, metrics: [], droppedByReason: {}, ...counts };
  const { record, ledger: thermo } = closed;
  let linkPackets = 0;
  let linkLost = 0;
  for (const l of record.links.values()) {
    linkPackets += l.packets;
    linkLost += l.lost;
  }
  const metrics = [...record.metrics.values()]
    .sort((a, b) => (a.name === b.name ? (a.group < b.group ? -1 : 1) : a.name < b.name ? -1 : 1))
    .map((m) => {
      const ns = m.name.endsWith("_ns");
      const scale = ns ? 1e-9 : 1;
      const has = m.count > 0;
      return {
        name: ns ? `${m.name.slice(0, -3)}_s` : m.name,
        group: m.group,
        count: m.count,
        sum: m.sum * scale,
        mean: has ? (m.sum / m.count) * scale : 0,
        p50: has ? m.histogram.quantile(0.5, m.min, m.max) * scale : 0,
        p90: has ? m.histogram.quantile(0.9, m.min, m.max) * scale : 0,
        p99: has ? m.histogram.quantile(0.99, m.min, m.max) * scale : 0,
        max: has ? m.max * scale : 0,
      };
    });
  return {
    interval: index,
    startNs: thermo.startNs,
    endNs: thermo.endNs,
    events: record.events,
    metrics,
    droppedByReason: Object.fromEntries([...record.drops].sort(([a], [b]) => (a < b ? -1 : 1))),
    linkPackets,
    linkLostPackets: linkLost,
    energyJ: thermo.energyJ,
    powerW: thermo.powerW,
    heatEntropyKbPerS: thermo.heatEntropyKbPerS,
    packetSigmaKbPerS: thermo.sigmaKbPerS,
    bitsErased: thermo.bitsErased,
    landauerPowerW: thermo.landauerPowerW,
    itEnergyJ: thermo.itEnergyJ,
    coolingEnergyJ: thermo.coolingEnergyJ,
    distributionLossJ: thermo.distributionLossJ,
    itPowerW: thermo.durationS > 0 ? thermo.itEnergyJ / thermo.durationS : 0,
    coolingPowerW: thermo.durationS > 0 ? thermo.coolingEnergyJ / thermo.durationS : 0,
    ...(thermo.pue === null ? {} : { pue: thermo.pue }),
    ...(thermo.operationalCarbonG === null ? {} : { operationalCarbonG: thermo.operationalCarbonG }),
    ...(thermo.embodiedCarbonG === null ? {} : { embodiedCarbonG: thermo.embodiedCarbonG }),
    ...counts,
  };
}
