/**
 * The host side of the run protocol: joins a run, builds its shard from RunStart, and for every Advance merges
 * the batches it is owed, runs the window, sends one batch per destination host, and reports WindowDone.
 * Messages that do not decode are counted and dropped; a model error aborts the run with a HostError.
 */
import { hostname as osHostname } from "node:os";
import type { ModelLookup } from "./actor.ts";
import { Shard } from "./shard.ts";
import type { ResolvedScenario } from "./topology.ts";
import { subjects, type RunSubjects, type Subscription, type Transport } from "./transport/transport.ts";
import { batchEvents, encodeBatch, toWireInterval, tryDecode, wire } from "./wire.ts";
import type { dctwin } from "../../proto/gen/dctwin.js";

export interface HostAgentOptions {
  transport: Transport;
  runId: string;
  host: number;
  models: ModelLookup;
  /** How often to repeat HostHello until the coordinator starts the run. */
  helloIntervalMs?: number;
}

export class HostAgent {
  readonly host: number;
  /** Resolves with the stop reason when the coordinator ends the run (or this host aborts it). */
  readonly finished: Promise<string>;
  private readonly transport: Transport;
  private readonly subjects: RunSubjects;
  private readonly models: ModelLookup;
  private readonly helloIntervalMs: number;
  private readonly subscriptions: Subscription[] = [];
  private finish!: (reason: string) => void;
  private helloTimer: NodeJS.Timeout | undefined;
  private shard: Shard | undefined;
  private actorCount = 0;
  private hostCount = 0;
  private batchesReceived = 0;
  private pendingAdvance: dctwin.v1.Advance | undefined;
  /** Last window announced by the coordinator (-1 before the first). */
  private lastAdvanced = -1;
  private lastEndNs = 0;
  private malformed = 0;
  private stopped = false;

  constructor(options: HostAgentOptions) {
    this.transport = options.transport;
    this.host = options.host;
    this.models = options.models;
    this.subjects = subjects(options.runId);
    this.helloIntervalMs = options.helloIntervalMs ?? 200;
    this.finished = new Promise((resolve) => (this.finish = resolve));
  }

  /** Wire messages this host could not decode and dropped. */
  get malformedMessages(): number {
    return this.malformed;
  }

  start(): void {
    const t = this.transport;
    this.subscriptions.push(
      t.subscribe(this.subjects.start, (bytes) => this.onStart(bytes)),
      t.subscribe(this.subjects.advance, (bytes) => this.onAdvance(bytes)),
      t.subscribe(this.subjects.hostData(this.host), (bytes) => this.onData(bytes)),
      t.subscribe(this.subjects.stop, (bytes) => this.onStop(bytes)),
    );
    const hello = wire.HostHello.encode({ host: this.host, hostname: osHostname(), pid: process.pid, runtime: `node ${process.version}` }).finish();
    const sayHello = () => this.transport.publish(this.subjects.hello(this.host), hello);
    sayHello();
    this.helloTimer = setInterval(sayHello, this.helloIntervalMs);
  }

  private onStart(bytes: Uint8Array): void {
    const start = tryDecode(wire.RunStart, bytes);
    if (start === undefined) return this.countMalformed();
    if (this.shard !== undefined) return; // a repeated start: already running
    clearInterval(this.helloTimer);
    this.guard(() => {
      const scenario = JSON.parse(start.scenarioJson) as ResolvedScenario;
      this.hostCount = start.hostCount;
      this.actorCount = scenario.actors.length;
      this.shard = new Shard(scenario, start.placement, this.host, this.models);
      this.shard.init();
      const ready = wire.HostReady.encode({ host: this.host, actors: this.shard.actorCount, nextEventNs: this.shard.nextEventNs() }).finish();
      this.transport.publish(this.subjects.ready(this.host), ready);
    });
  }

  private onAdvance(bytes: Uint8Array): void {
    const advance = tryDecode(wire.Advance, bytes);
    // Protobuf decodes many byte strings; an Advance that does not continue the window sequence is not one.
    const plausible =
      advance !== undefined &&
      Number(advance.window) === this.lastAdvanced + 1 &&
      Number(advance.startNs) >= this.lastEndNs &&
      (advance.final ? Number(advance.endNs) === Number(advance.startNs) : Number(advance.endNs) > Number(advance.startNs)) &&
      advance.expectedBatches.length === this.hostCount;
    if (!plausible || this.shard === undefined) return this.countMalformed();
    this.lastAdvanced = Number(advance.window);
    this.lastEndNs = Number(advance.endNs);
    this.pendingAdvance = advance;
    this.tryRunWindow();
  }

  private onData(bytes: Uint8Array): void {
    const batch = tryDecode(wire.PacketBatch, bytes);
    const plausible =
      batch !== undefined &&
      this.shard !== undefined &&
      batch.toHost === this.host &&
      batch.fromHost < this.hostCount &&
      batch.fromHost !== this.host &&
      Number(batch.window) <= this.lastAdvanced &&
      Number(batch.window) >= this.lastAdvanced - 1;
    const events = plausible ? batchEvents(batch, this.actorCount) : undefined;
    if (events === undefined || events.some((e) => !this.shard!.runsActor(e.dst))) return this.countMalformed();
    this.guard(() => this.shard!.mergeRemote(events));
    this.batchesReceived++;
    this.tryRunWindow();
  }

  private onStop(bytes: Uint8Array): void {
    const stop = tryDecode(wire.RunStop, bytes);
    this.shutdown(stop?.reason ?? "stopped");
  }

  private tryRunWindow(): void {
    const advance = this.pendingAdvance;
    const shard = this.shard;
    if (advance === undefined || shard === undefined || this.stopped) return;
    if (this.batchesReceived < (advance.expectedBatches[this.host] ?? 0)) return; // owed batches still on the wire
    this.pendingAdvance = undefined;
    this.guard(() => {
      const window = Number(advance.window);
      if (advance.final) {
        const { intervals, counters } = shard.finish(Number(advance.endNs));
        this.publishDone({ window, host: this.host, nextEventNs: shard.nextEventNs(), batchesSentTo: new Array<number>(this.hostCount).fill(0), counters, intervals: intervals.map(toWireInterval), malformedMessages: this.malformed });
        return;
      }
      const result = shard.runWindow(window, Number(advance.startNs), Number(advance.endNs), advance.commands);
      const batchesSentTo = new Array<number>(this.hostCount).fill(0);
      for (const [toHost, events] of [...result.outbox].sort((a, b) => a[0] - b[0])) {
        this.transport.publish(this.subjects.hostData(toHost), encodeBatch(window, this.host, toHost, events));
        batchesSentTo[toHost] = 1;
      }
      this.publishDone({
        window,
        host: this.host,
        nextEventNs: result.nextEventNs,
        batchesSentTo,
        counters: result.counters,
        intervals: result.intervals.map(toWireInterval),
        events: result.events,
        malformedMessages: this.malformed,
        addedDelayNs: result.addedDelayNs,
      });
    });
  }

  private publishDone(done: dctwin.v1.WindowDone.$Properties): void {
    this.transport.publish(this.subjects.done(this.host), wire.WindowDone.encode(done).finish());
  }

  private countMalformed(): void {
    this.malformed++;
  }

  /** Runs a step; on an exception reports it to the coordinator and stops this host. */
  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.transport.publish(this.subjects.error(this.host), wire.HostError.encode({ host: this.host, message }).finish());
      this.shutdown(`host ${this.host} failed: ${message}`);
    }
  }

  private shutdown(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.helloTimer);
    for (const s of this.subscriptions) s.unsubscribe();
    this.finish(reason);
  }
}
