/**
 * OpenTelemetry for a run, off unless `run.trace_sample_ratio` > 0: only then is a tracer provider with an OTLP
 * exporter created. The exporter follows the standard OTEL_* environment variables (endpoint, headers,
 * protocol defaults); OTEL_SERVICE_NAME names the service (default "dctwin").
 */
import { context, trace, type Span, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { IntervalRecord } from "../results/aggregate.ts";
import { JourneyExporter } from "./journeys.ts";

export interface RunTracing {
  /** Feed each closed metrics interval (journeys and a span for the coordinator's work on it). */
  onIntervalClosed(record: IntervalRecord, windows: number): void;
  /** Exports what is left and shuts the exporter down. */
  shutdown(): Promise<void>;
  readonly journeysExported: () => number;
}

export function startRunTracing(scenario: ResolvedScenario, runId: string): RunTracing | null {
  if (scenario.run.traceSampleRatio <= 0) return null;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": process.env.OTEL_SERVICE_NAME ?? "dctwin", "dctwin.run_id": runId, "dctwin.scenario": scenario.run.name }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
  });
  const tracer: Tracer = provider.getTracer("dctwin");
  const wallStartMs = Date.now();
  const journeys = new JourneyExporter(scenario, tracer, wallStartMs);
  const runSpan: Span = tracer.startSpan("run", { attributes: { "dctwin.run_id": runId, "dctwin.scenario": scenario.run.name, "dctwin.seed": scenario.run.seed } });
  const runContext = trace.setSpan(context.active(), runSpan);
  let lastIntervalWallMs = wallStartMs;
  let lastWindows = 0;
  return {
    onIntervalClosed(record, windows) {
      journeys.add(record.traceEvents);
      // The coordinator's own work on this interval: the windows it drove, in wall-clock time.
      const now = Date.now();
      const span = tracer.startSpan("interval", { startTime: lastIntervalWallMs, attributes: { "dctwin.interval": record.index, "dctwin.windows": windows - lastWindows, "dctwin.events": record.events } }, runContext);
      span.end(now);
      lastIntervalWallMs = now;
      lastWindows = windows;
    },
    async shutdown() {
      journeys.flush();
      runSpan.end();
      await provider.shutdown();
    },
    journeysExported: () => journeys.exported,
  };
}
