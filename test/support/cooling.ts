/**
 * Cooling scenarios for the cooling tests (test/models-cooling*.test.ts): an idle zone with constant IT heat, a
 * loaded zone of DVFS servers behind a load balancer, and readings of a run's interval records (the CRAC's inlet
 * temperature, energy per actor and component).
 */
import { stringify } from "yaml";
import type { IntervalRecord } from "../../coordinator/counts/aggregate.ts";
import { loadScenarioText } from "../../coordinator/scenario-loader.ts";

const KELVIN = 273.15;

/** Loads a scenario document (with its experiment, if any) as `dctwin run` would. */
export function loadCooling(doc: unknown) {
  return loadScenarioText(stringify(doc), "cooling.yaml");
}

/** Two idle servers (constant power, no traffic) in zone z1 and one CRAC cooling it. */
export function idleZone(o: { durationS: number; distributionLoss?: number; crac?: Record<string, unknown> }) {
  return {
    name: "idle-zone",
    run: { duration: `${o.durationS}s`, seed: 1, metrics_interval: "1s", distribution_loss: o.distributionLoss ?? 0 },
    actors: [
      {
        id: "srv-a",
        kind: "server",
        labels: { zone: "z1" },
        service: { distribution: "exponential", mean: "1ms" },
        power: { model: "linear", idle_w: 250, max_w: 400 },
      },
      {
        id: "srv-b",
        kind: "server",
        labels: { zone: "z1" },
        service: { distribution: "exponential", mean: "1ms" },
        power: { model: "linear", idle_w: 150, max_w: 300 },
      },
      {
        id: "crac-1",
        kind: "crac",
        zone: "z1",
        unit_capacity_w: 2000,
        fan_w: 40,
        supply_temp_c: 20,
        inlet_rise_k_per_kw: 2,
        envelope_w_per_k: 50,
        time_constant: "20s",
        ...o.crac,
      },
    ],
  };
}

/** A client loading four DVFS servers in zone z1 (inlet limit 27 °C) behind a load balancer, and the zone's CRAC. */
export function loadedZone(durationS: number, experiment?: unknown, o: { ratePerS?: number; latency?: string } = {}) {
  const servers = ["s1", "s2", "s3", "s4"];
  return {
    name: "loaded-zone",
    run: { duration: `${durationS}s`, seed: 5, metrics_interval: "1s" },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "lb",
        arrivals: { process: "poisson", rate_per_s: o.ratePerS ?? 1600 },
        request_bytes: 400,
        response_bytes: 2000,
      },
      { id: "lb", kind: "load_balancer", replicas: servers, policy: "round_robin" },
      ...servers.map((id) => ({
        id,
        kind: "server",
        labels: { zone: "z1" },
        cores: 4,
        service: { distribution: "exponential", mean: "1ms" },
        inlet_limit_c: 27,
        power: {
          model: "pstate",
          states: [
            { freq_ghz: 3.0, idle_w: 120, max_w: 250 },
            { freq_ghz: 1.5, idle_w: 80, max_w: 140 },
          ],
        },
      })),
      {
        id: "crac-1",
        kind: "crac",
        zone: "z1",
        units: 2,
        unit_capacity_w: 600,
        fan_w: 30,
        supply_temp_c: 18,
        inlet_rise_k_per_kw: 1,
        envelope_w_per_k: 40,
        time_constant: "10s",
      },
    ],
    links: [
      { a: "users", b: "lb", latency: o.latency ?? "50us", bandwidth: "10Gbps" },
      ...servers.map((id) => ({ a: "lb", b: id, latency: o.latency ?? "20us", bandwidth: "10Gbps" })),
    ],
    ...(experiment === undefined ? {} : { experiment }),
  };
}

/** The CRAC's inlet reading taken at the start of interval j (°C), from its `inlet_mk` counter. */
export function reading(record: IntervalRecord | undefined, crac: number): number | undefined {
  const mk = record?.counters.get(crac)?.get("inlet_mk");
  return mk === undefined ? undefined : mk / 1000 - KELVIN;
}

/** The energy (J) `actor` drew in an interval: all of it, or that of one `component`. */
export function intervalJoules(record: IntervalRecord | undefined, actor: number, component?: string): number {
  const byComponent = record?.energy.get(actor) ?? new Map<string, number>();
  return component === undefined
    ? [...byComponent.values()].reduce((s, j) => s + j, 0)
    : (byComponent.get(component) ?? 0);
}
