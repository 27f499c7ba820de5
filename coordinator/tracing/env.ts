/**
 * The standard OpenTelemetry environment variables the SDK does not read by itself (sdk-trace 3):
 * - OTEL_TRACES_SAMPLER (+ OTEL_TRACES_SAMPLER_ARG): always_on, always_off, traceidratio, parentbased_always_on
 *   (the default), parentbased_always_off, parentbased_traceidratio;
 * - OTEL_EXPORTER_OTLP_TRACES_PROTOCOL / OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf (default), http/json, grpc.
 * OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME are read by the resource detectors (setup.ts); endpoints and
 * headers by the exporters themselves. An unknown value is a warning and the default, as the specification asks.
 */
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from "@opentelemetry/sdk-trace";
import { OTLPTraceExporter as GrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { SpanExporter } from "@opentelemetry/sdk-trace";

type Env = Record<string, string | undefined>;

function ratioArg(env: Env, warn: (m: string) => void): number {
  const raw = env.OTEL_TRACES_SAMPLER_ARG;
  if (raw === undefined || raw === "") return 1;
  const r = Number(raw);
  if (Number.isFinite(r) && r >= 0 && r <= 1) return r;
  warn(`OTEL_TRACES_SAMPLER_ARG=${raw} is not a ratio in [0, 1]: using 1`);
  return 1;
}

export function samplerFromEnv(env: Env, warn: (m: string) => void): { sampler: Sampler; description: string } {
  const name = (env.OTEL_TRACES_SAMPLER ?? "parentbased_always_on").trim().toLowerCase();
  switch (name) {
    case "always_on":
      return { sampler: new AlwaysOnSampler(), description: name };
    case "always_off":
      return { sampler: new AlwaysOffSampler(), description: name };
    case "traceidratio": {
      const r = ratioArg(env, warn);
      return { sampler: new TraceIdRatioBasedSampler(r), description: `${name} ${r}` };
    }
    case "parentbased_always_off":
      return { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }), description: name };
    case "parentbased_traceidratio": {
      const r = ratioArg(env, warn);
      return {
        sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(r) }),
        description: `${name} ${r}`,
      };
    }
    case "parentbased_always_on":
      return { sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), description: name };
    default:
      warn(
        `OTEL_TRACES_SAMPLER=${name} is not supported (always_on, always_off, traceidratio, parentbased_*): using parentbased_always_on`,
      );
      return { sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), description: "parentbased_always_on" };
  }
}

export function exporterFromEnv(env: Env, warn: (m: string) => void): { exporter: SpanExporter; protocol: string } {
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    "http/protobuf"
  ).trim();
  if (protocol === "grpc") return { exporter: new GrpcExporter() as unknown as SpanExporter, protocol };
  if (protocol === "http/json") return { exporter: new JsonExporter() as unknown as SpanExporter, protocol };
  if (protocol !== "http/protobuf")
    warn(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not one of http/protobuf, http/json, grpc: using http/protobuf`);
  return { exporter: new ProtoExporter(), protocol: "http/protobuf" };
}
