/**
 * The coordinator's Prometheus exporter for one run: a RunState fed by the run driver, the run's families on a
 * private Registry (label `run` on every series), served at /metrics.
 */
import { Registry } from "prom-client";
import { DEFAULT_AGGREGATION_LEVEL, type AggregationLevel } from "../levels.ts";
import { RunState } from "../run-state.ts";
import type { RunView } from "../run-view.ts";
import { registerRunMetrics } from "./collector.ts";
import { startMetricsServer } from "./server.ts";

export interface MetricsExporterOptions {
  /** 0: a free port. */
  port: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  level?: AggregationLevel;
}

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

export async function startRunExporter(view: RunView, options: MetricsExporterOptions & { speed?: number }): Promise<RunExporter> {
  const state = new RunState(view, options.level ?? DEFAULT_AGGREGATION_LEVEL, options.speed);
  const registry = createRunRegistry(state, true);
  const server = await startMetricsServer(registry, { host: options.host, port: options.port });
  return { url: server.url, state, registry, close: () => server.close() };
}
