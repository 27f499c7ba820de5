/**
 * The per-server analyst tables, from the servers' level integrals (nodes/runtime/level-meter.ts: counters
 * `level:<name>` holding level × ns per interval) and their energy:
 *
 * - servers:       t_start_s, t_end_s, actor, group, rack, zone, utilisation, queue_length, waiting, state,
 *                  power_w, inlet_temperature_c — one row per server and interval. utilisation is the time-average
 *                  fraction of its serving units (cores, or GPUs) in use; queue_length the time-average number of
 *                  requests it held (waiting, in service, awaiting downstream calls); waiting those waiting for a
 *                  unit; state the state it spent most of the interval in; inlet_temperature_c the zone's hottest
 *                  CRAC reading. null where the server's model does not report levels (leap mode).
 * - server_states: t_start_s, t_end_s, actor, state, seconds — the simulated seconds each server spent in each
 *                  state (on, throttled, booting, shutting_down, off, failed) it was in at all during the run; a
 *                  server's rows of one interval add up to the interval's length.
 */
import { kindTraits } from "../../nodes/models/registry.ts";
import { LEVEL_COUNTER_PREFIX } from "../../nodes/runtime/level-meter.ts";
import { intervalBoundsNs, type RunView } from "../observability/run-view.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import { stateSeconds } from "../counts/levels.ts";
import type { ColumnSpec, RowKey, TableColumns } from "./table-columns.ts";

/** A level's time-average over an interval of `ns` nanoseconds (null when the actor reported no levels). */
function mean(counters: ReadonlyMap<string, number> | undefined, name: string, ns: number): number | null {
  if (counters === undefined || ns <= 0) return null;
  return (counters.get(LEVEL_COUNTER_PREFIX + name) ?? 0) / ns;
}

/** Whether an actor reported levels in this interval (a server in exact mode always does). */
function hasLevels(counters: ReadonlyMap<string, number> | undefined): boolean {
  for (const name of counters?.keys() ?? []) if (name.startsWith(LEVEL_COUNTER_PREFIX)) return true;
  return false;
}

/** The per-server tables' rows: `scan` every record first (the states seen in the run), then `open`, `add` each. */
export class ServerRows {
  private readonly view: RunView;
  /** The actors with per-server series, by index. */
  private readonly servers: number[];
  private readonly states = new Set<string>();
  private stateOrder: string[] = [];
  private serverRows: TableColumns | undefined;
  private stateRows: TableColumns | undefined;

  constructor(view: RunView) {
    this.view = view;
    this.servers = view.actors.flatMap((a, i) => (kindTraits(a.kind).serverSeries === true ? [i] : []));
  }

  scan(r: IntervalRecord): void {
    for (const i of this.servers) for (const s of stateSeconds(r.counters.get(i)).keys()) this.states.add(s);
  }

  open(open: (name: "servers" | "server_states", columns: ColumnSpec) => TableColumns): void {
    this.stateOrder = [...this.states].sort();
    this.serverRows = open("servers", SERVER_COLUMNS);
    this.stateRows = open("server_states", SERVER_STATE_COLUMNS);
  }

  /** The rows of interval `r` (`inlet`: its zones' hottest inlet readings, °C). */
  add(r: IntervalRecord, key: RowKey, inlet: ReadonlyMap<string, number>): void {
    const [startNs, endNs] = intervalBoundsNs(this.view, r.index);
    const ns = endNs - startNs;
    for (const i of this.servers) {
      const a = this.view.actors[i]!;
      const reported = r.counters.get(i);
      const counters = hasLevels(reported) ? reported : undefined;
      const seconds = stateSeconds(counters);
      let joules = 0;
      for (const j of r.energy.get(i)?.values() ?? []) joules += j;
      const zone = a.labels.zone ?? null;
      const utilisationPpm = mean(counters, "utilisation_ppm", ns);
      this.serverRows!.add(key, [
        a.id,
        a.group,
        a.labels.rack ?? null,
        zone,
        utilisationPpm === null ? null : utilisationPpm / 1e6,
        mean(counters, "held", ns),
        mean(counters, "waiting", ns),
        counters === undefined ? null : dominant(seconds),
        ns > 0 ? joules / (ns / 1e9) : 0,
        zone === null ? null : (inlet.get(zone) ?? null),
      ]);
      if (counters !== undefined)
        for (const state of this.stateOrder) this.stateRows!.add(key, [a.id, state, seconds.get(state) ?? 0]);
    }
  }

  end(): void {
    this.serverRows!.end();
    this.stateRows!.end();
  }
}

/** The state with the most seconds (the first in name order on a tie). */
function dominant(seconds: Map<string, number>): string | null {
  let best: string | null = null;
  for (const [state, s] of [...seconds].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (best === null || s > seconds.get(best)!) best = state;
  return best;
}

const SERVER_COLUMNS: ColumnSpec = [
  ["actor", "string"],
  ["group", "string"],
  ["rack", "string"],
  ["zone", "string"],
  ["utilisation", "double"],
  ["queue_length", "double"],
  ["waiting", "double"],
  ["state", "string"],
  ["power_w", "double"],
  ["inlet_temperature_c", "double"],
];
const SERVER_STATE_COLUMNS: ColumnSpec = [
  ["actor", "string"],
  ["state", "string"],
  ["seconds", "double"],
];
