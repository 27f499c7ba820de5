/**
 * The coordinator's Prometheus exporter for one run: a RunState fed by the run driver, the run's families on a
 * private Registry (label `run` on every series), served at /metrics.
 */
import { Registry } from "prom-client";
import { DEFAULT_AGGREGATION_LEVEL, type AggregationLevel } from "../levels.ts";
import { RunState } from "../run-state.ts";
import type { RunView } from "../run-view.ts";
import { registerRunMetrics } from "./collector.ts";
import { startMetricsServer } from "../../../nodes/metrics-server.ts";

export interface MetricsExporterOptions {
  /** 0: a free port. */
  port: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  level?: AggregationLevel;
  /**
   * Wall-clock seconds the endpoint stays up after the run ended, serving the final values (so Prometheus scrapes
   * the last interval); cut short when the run's signal aborts. 0: close at once.
   */
  lingerS?: number;
}

/** How long `dctwin run` keeps its metrics endpoint up after the run by default: two default scrape intervals. */
export const DEFAULT_METRICS_LINGER_S = 30;

export interface RunExporter {
  url: string;
  state: RunState;
  registry: Registry;
  close(): Promise<void>;
}

export function createRunRegistry(state: RunState, live: boolean): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ run: state.view.runId });
  registerRunMetrics(registry, state, { live });
  return registry;
}

export async function startRunExporter(
  view: RunView,
  options: MetricsExporterOptions & { speed?: number },
): Promise<RunExporter> {
  const state = new RunState(view, options.level ?? DEFAULT_AGGREGATION_LEVEL, options.speed);
  const registry = createRunRegistry(state, true);
  const server = await startMetricsServer(registry, { host: options.host, port: options.port });
  return { url: server.url, state, registry, close: () => server.close() };
}

/** Waits `seconds` of wall time, or less if `signal` aborts. */
export function linger(seconds: number, signal?: AbortSignal): Promise<void> {
  if (seconds <= 0 || signal?.aborted === true) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, seconds * 1000);
    signal?.addEventListener("abort", done, { once: true });
  });
}
