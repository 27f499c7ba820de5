/**
 * OpenTelemetry for a run, off unless `run.trace_sample_ratio` > 0: only then is a tracer provider with an OTLP
 * exporter created. Standard environment variables: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (resource, so
 * Kubernetes attributes set by the deployment arrive), OTEL_TRACES_SAMPLER(_ARG), OTEL_EXPORTER_OTLP_(TRACES_)
 * PROTOCOL (env.ts), endpoint and headers (the exporters). Failed exports are counted and warned about.
 *
 * Two kinds of spans, each with one time base (attribute `dctwin.time_base`):
 * - `journey` (journeys.ts): a sampled flow of packets, in simulated time laid on the run's wall-clock start
 *   (a viewer shows simulated durations; the simulated nanoseconds are attributes too); its own trace, the one
 *   the packets carry, as a root span (nothing dangles);
 * - `run` and its `interval` children: the coordinator's own work, in wall-clock time.
 */
import { context, trace, type Span, type Tracer } from "@opentelemetry/api";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import { exporterFromEnv, samplerFromEnv } from "./env.ts";
import { CountingExporter } from "./export-failures.ts";
import { JourneyExporter, PinnedIdGenerator } from "./journeys.ts";

export interface RunTracing {
  /** Feed each closed metrics interval (journeys and a span for the coordinator's work on it). */
  onIntervalClosed(record: IntervalRecord, windows: number): void;
  /** Exports what is left and shuts the exporter down (once; later calls wait for the first). */
  shutdown(): Promise<void>;
  readonly journeysExported: () => number;
  /** Spans the exporter could not deliver. */
  readonly spansExportFailed: () => number;
  /** Sampler and protocol in use, for the log. */
  readonly description: string;
}

export function startRunTracing(
  scenario: ResolvedScenario,
  runId: string,
  warn: (m: string) => void = (m) => console.error(m),
): RunTracing | null {
  if (scenario.run.traceSampleRatio <= 0) return null;
  const { sampler, description: samplerName } = samplerFromEnv(process.env, warn);
  const { exporter: otlp, protocol } = exporterFromEnv(process.env, warn);
  const exporter = new CountingExporter(otlp, warn);
  const ids = new PinnedIdGenerator();
  // Ours first, then the environment's (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES), which take precedence.
  const resource = resourceFromAttributes({
    "service.name": "dctwin",
    "dctwin.run_id": runId,
    "dctwin.scenario": scenario.run.name,
  }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new TracerProvider({
    resource,
    sampler,
    idGenerator: ids,
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const tracer: Tracer = provider.getTracer("dctwin");
  const wallStartMs = Date.now();
  const journeys = new JourneyExporter(scenario, tracer, ids, wallStartMs);
  const runSpan: Span = tracer.startSpan("run", {
    root: true,
    attributes: {
      "dctwin.run_id": runId,
      "dctwin.scenario": scenario.run.name,
      "dctwin.seed": scenario.run.seed,
      "dctwin.time_base": "wall",
    },
  });
  const runContext = trace.setSpan(context.active(), runSpan);
  let lastIntervalWallMs = wallStartMs;
  let lastWindows = 0;
  let shutdown: Promise<void> | undefined;
  return {
    onIntervalClosed(record, windows) {
      journeys.add(record.traceEvents);
      // The coordinator's own work on this interval: the windows it drove, in wall-clock time.
      const now = Date.now();
      const span = tracer.startSpan(
        "interval",
        {
          startTime: lastIntervalWallMs,
          attributes: {
            "dctwin.interval": record.index,
            "dctwin.windows": windows - lastWindows,
            "dctwin.events": record.events,
            "dctwin.time_base": "wall",
          },
        },
        runContext,
      );
      span.end(now);
      lastIntervalWallMs = now;
      lastWindows = windows;
    },
    shutdown() {
      shutdown ??= (async () => {
        journeys.flush();
        runSpan.end();
        // A failed final export is already counted and warned about by the CountingExporter.
        await provider.shutdown().catch(() => {});
        exporter.settle();
      })();
      return shutdown;
    },
    journeysExported: () => journeys.exported,
    spansExportFailed: () => exporter.failedSpans,
    description: `sampler ${samplerName}, OTLP ${protocol}`,
  };
}
