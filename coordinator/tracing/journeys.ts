/**
 * Sampled packet journeys as OpenTelemetry traces: one span per journey (the packets of one traced flow), with
 * an event per step (create, hop, consume, drop). The span IS the one the packets' traceparent names (same trace
 * id and span id, pinned through the id generator), a root span: no journey names a parent that is not exported.
 * Span and event timestamps are the run's wall-clock start plus simulated time (`dctwin.time_base: simulated`),
 * so a trace viewer shows simulated durations; the simulated nanoseconds are attributes too. A journey with a
 * drop has error status. A journey is exported as soon as all its packets have been consumed or dropped (checked
 * when metrics intervals close), the rest at the end of the run.
 */
import { ROOT_CONTEXT, SpanStatusCode, type Attributes, type Tracer } from "@opentelemetry/api";
import { RandomIdGenerator, type IdGenerator } from "@opentelemetry/sdk-trace";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { dctwin } from "../../proto/gen/dctwin.js";

type TraceEvent = dctwin.v1.TraceEvent.$Properties;

interface Journey {
  traceId: string;
  parentSpanId: string;
  events: TraceEvent[];
  /** Packets created minus packets consumed or dropped. */
  open: number;
}

export class JourneyExporter {
  private readonly scenario: ResolvedScenario;
  private readonly tracer: Tracer;
  private readonly ids: PinnedIdGenerator;
  private readonly wallStartMs: number;
  private readonly journeys = new Map<string, Journey>();
  exported = 0;

  constructor(scenario: ResolvedScenario, tracer: Tracer, ids: PinnedIdGenerator, wallStartMs: number) {
    this.scenario = scenario;
    this.tracer = tracer;
    this.ids = ids;
    this.wallStartMs = wallStartMs;
  }

  /** Adds the steps of one closed interval and exports the journeys they complete. */
  add(events: readonly TraceEvent[]): void {
    for (const e of events) {
      const [, traceId = "", parentSpanId = ""] = (e.traceparent ?? "").split("-");
      let journey = this.journeys.get(traceId);
      if (journey === undefined) {
        journey = { traceId, parentSpanId, events: [], open: 0 };
        this.journeys.set(traceId, journey);
      }
      journey.events.push(e);
      if (e.kind === "create" || e.kind === "split") journey.open++;
      else if (e.kind === "consume" || e.kind === "drop" || e.kind === "merge") journey.open--;
    }
    for (const journey of [...this.journeys.values()]) if (journey.open === 0) this.export(journey);
  }

  /** Exports what is left (journeys still in flight when the run ended are marked unfinished). */
  flush(): void {
    for (const journey of [...this.journeys.values()]) this.export(journey);
  }

  private export(journey: Journey): void {
    this.journeys.delete(journey.traceId);
    // Stable by time: steps at the same simulated time happened on one host, already in execution order.
    const steps = journey.events.sort((a, b) => Number(a.timeNs) - Number(b.timeNs));
    const first = steps[0]!;
    const last = steps[steps.length - 1]!;
    const id = (actor: number | null | undefined) => this.scenario.actors[actor ?? 0]?.id ?? String(actor);
    const startNs = Number(first.timeNs);
    const endNs = Math.max(...steps.map((s) => Math.max(Number(s.timeNs), Number(s.arriveNs ?? 0))));
    const drop = steps.find((s) => s.kind === "drop");
    this.ids.pin(journey.traceId, journey.parentSpanId);
    const span = this.tracer.startSpan(
      "journey",
      {
        root: true,
        startTime: this.wallMs(startNs),
        attributes: {
          "dctwin.origin": id(first.actor),
          "dctwin.sim.start_ns": startNs,
          "dctwin.sim.end_ns": endNs,
          "dctwin.steps": steps.length,
          "dctwin.finished": journey.open === 0,
          "dctwin.last_step": last.kind ?? "",
          "dctwin.time_base": "simulated",
          // Leap mode traces counts: the real packets of the journey's first packet (1 in exact mode).
          "dctwin.count": Number(first.multiplicity ?? 1) || 1,
        },
      },
      ROOT_CONTEXT,
    );
    this.ids.unpin();
    if (drop !== undefined)
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `packet dropped at ${id(drop.actor)}: ${drop.reason ?? "unknown reason"}`,
      });
    for (const step of steps) {
      const attributes: Attributes = {
        "dctwin.sim.time_ns": Number(step.timeNs),
        "dctwin.actor": id(step.actor),
        "dctwin.packet.src": id(step.packetSrc),
        "dctwin.packet.id": Number(step.packetId),
        "dctwin.packet.species": step.species ?? 0,
        "dctwin.packet.size_bytes": step.sizeBytes ?? 0,
        "dctwin.packet.multiplicity": Number(step.multiplicity ?? 1) || 1,
      };
      if (step.kind === "hop") {
        attributes["dctwin.to_actor"] = id(step.toActor);
        attributes["dctwin.link"] = this.scenario.links[step.link ?? 0]?.id ?? "";
        attributes["dctwin.sim.arrive_ns"] = Number(step.arriveNs);
      }
      if (step.kind === "drop") attributes["dctwin.drop_reason"] = step.reason ?? "";
      span.addEvent(step.kind ?? "step", attributes, this.wallMs(Number(step.timeNs)));
    }
    span.end(this.wallMs(endNs));
    this.exported++;
  }

  private wallMs(simNs: number): number {
    return this.wallStartMs + simNs / 1e6;
  }
}

/**
 * Random ids, except for the next root span after `pin`: then the given trace and span ids, so a journey's span
 * carries the ids its packets were given on the hosts.
 */
export class PinnedIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private pinned: { traceId: string; spanId: string } | undefined;

  pin(traceId: string, spanId: string): void {
    this.pinned = /^[0-9a-f]{32}$/.test(traceId) && /^[0-9a-f]{16}$/.test(spanId) ? { traceId, spanId } : undefined;
  }

  unpin(): void {
    this.pinned = undefined;
  }

  generateTraceId(): string {
    return this.pinned?.traceId ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.pinned?.spanId ?? this.random.generateSpanId();
  }
}
