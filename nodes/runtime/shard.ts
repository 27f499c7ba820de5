/**
 * A shard: the actors one host runs, its event queue, and the packets it owes other hosts.
 *
 * `runWindow(start, end)` applies the window's commands, then executes every local event with time < end in key
 * order (the queue's key is independent of placement, so a host runs its actors' events exactly as a one-host run
 * would). Delivery rules are in actor-context.ts; actor status in actor-lifecycle.ts.
 */
import type { ModelLookup } from "./actor.ts";
import { ShardContext } from "./actor-context.ts";
import { ModelContractError, type ShardCounters } from "./shard-contract.ts";
import { applyLifecycleCommand, holdOrLose, newLocalActor, type LocalActor } from "./actor-lifecycle.ts";
import { EventQueue, EventType, type SimEvent } from "./event-queue.ts";
import { IntervalLedger, type IntervalData } from "./interval-ledger.ts";
import { LinkTable } from "./link-table.ts";
import type { Command } from "../../spec/commands.ts";
import { Router } from "./routing.ts";
import { minLatencyNs, networkNodes, portsByActor, type ResolvedScenario } from "./topology.ts";

export { ModelContractError, type ShardCounters };

export interface WindowResult {
  window: number;
  events: number;
  /** Outgoing packets per destination host (only hosts that get any). */
  outbox: Map<number, SimEvent[]>;
  /** Earliest pending event of this shard, counting packets it just sent to other hosts; -1 if none. */
  nextEventNs: number;
  counters: ShardCounters;
  /** Metrics intervals that closed before this window started, in order. */
  intervals: IntervalData[];
  addedDelayNs: number;
}

export class Shard {
  readonly hostIndex: number;
  private readonly hostOf: readonly number[];
  private readonly queue = new EventQueue();
  private readonly actors = new Map<number, LocalActor>();
  /** The same actors by index (undefined where another host runs the actor): the per-event lookup. */
  private readonly byIndex: (LocalActor | undefined)[];
  private readonly linkTable: LinkTable;
  private readonly ledger = new IntervalLedger();
  private readonly ctx: ShardContext;
  private readonly intervalNs: number;
  /** Packet events held for paused actors (still in flight for the conservation law). */
  private deferredPackets = 0;
  /** The metrics interval the shard is recording into. */
  private currentInterval = 0;
  private readonly counters: ShardCounters = {
    injected: 0,
    consumed: 0,
    dropped: 0,
    queued: 0,
    inFlightLocal: 0,
    sentRemote: 0,
    receivedRemote: 0,
  };

  constructor(scenario: ResolvedScenario, hostOf: readonly number[], hostIndex: number, models: ModelLookup) {
    this.hostOf = hostOf;
    this.hostIndex = hostIndex;
    const portsOf = portsByActor(scenario);
    const nodeOf = networkNodes(scenario.actors);
    this.linkTable = new LinkTable(scenario.links);
    this.intervalNs = scenario.run.metricsIntervalNs;
    this.byIndex = new Array<LocalActor | undefined>(scenario.actors.length).fill(undefined);
    for (const spec of scenario.actors) {
      if (hostOf[spec.index] !== hostIndex) continue;
      // A component sends through its server's NIC.
      const actor = newLocalActor(spec, models(spec.kind), scenario.run.seed, portsOf[nodeOf[spec.index]!]!);
      this.actors.set(spec.index, actor);
      this.byIndex[spec.index] = actor;
    }
    this.ctx = new ShardContext({
      scenario,
      hostOf,
      hostIndex,
      queue: this.queue,
      actors: this.actors,
      byIndex: this.byIndex,
      router: new Router(portsOf, nodeOf),
      nodeOf,
      linkTable: this.linkTable,
      ledger: this.ledger,
      counters: this.counters,
      // The same rule as the window planner: a quantum above the smallest latency delays deliveries.
      exact: scenario.run.quantumNs <= minLatencyNs(scenario),
    });
  }

  runsActor(index: number): boolean {
    return this.actors.has(index);
  }

  get actorCount(): number {
    return this.actors.size;
  }

  /** Builds every local actor's initial state (in actor-index order) at time 0. */
  init(): void {
    for (const actor of [...this.actors.values()].sort((x, y) => x.spec.index - y.spec.index)) {
      this.ctx.enter(actor, 0);
      actor.state = actor.model.initial(actor.spec.params, this.ctx);
      this.ctx.meters.powerPorts(actor, this.linkTable.links); // at time 0: the scenario's values
    }
    this.ctx.leave();
    this.refreshQueued();
  }

  nextEventNs(): number {
    return this.queue.peekTime();
  }

  /** Adds packets another host sent to this shard's actors. */
  mergeRemote(events: readonly SimEvent[]): void {
    for (const event of events) {
      if (this.hostOf[event.dst] !== this.hostIndex) {
        throw new ModelContractError(
          `packet for actor ${event.dst} delivered to host ${this.hostIndex}, which does not run it`,
        );
      }
      this.queue.push(event);
    }
    this.counters.receivedRemote += events.length;
  }

  runWindow(window: number, startNs: number, endNs: number, commands: readonly Command[] = []): WindowResult {
    const intervals = this.closeIntervals(startNs, false);
    const ctx = this.ctx;
    ctx.delivery.windowEndNs = endNs;
    ctx.sendingAllowed = true;
    for (const command of commands) this.applyCommand(command, startNs);
    const events = this.runEvents(startNs, endNs);
    ctx.leave();
    ctx.sendingAllowed = false;
    this.ledger.events += events;
    this.refreshQueued();
    this.counters.inFlightLocal = this.queue.packetsInFlight + this.deferredPackets;

    const sent = ctx.delivery.takeOutbox();
    const local = this.queue.peekTime();
    const remote = sent.minNs === Number.POSITIVE_INFINITY ? -1 : sent.minNs;
    const nextEventNs = local < 0 ? remote : remote < 0 ? local : Math.min(local, remote);
    return {
      window,
      events,
      outbox: sent.outbox,
      nextEventNs,
      counters: { ...this.counters },
      intervals,
      addedDelayNs: sent.addedDelayNs,
    };
  }

  /**
   * Executes every local event before `endNs` in key order; returns how many. The loop alone, apart from the
   * window's set-up and report: V8 compiles it while it runs (on-stack replacement), and code after the loop that
   * has not run yet when it is compiled throws the compiled loop away when the window ends, so every window would
   * start again in the interpreter. A function that only loops and returns a number keeps its compiled code.
   */
  private runEvents(startNs: number, endNs: number): number {
    const ctx = this.ctx;
    const queue = this.queue;
    const byIndex = this.byIndex;
    const counters = this.counters;
    let events = 0;
    for (let slot = queue.popBefore(endNs); slot >= 0; slot = queue.popBefore(endNs)) {
      events++;
      const timeNs = queue.time(slot);
      if (timeNs < startNs) throw new ModelContractError(`event at ${timeNs} ns is before window start ${startNs} ns`);
      const actor = byIndex[queue.dst(slot)]!;
      // The actor's queued count is taken right after its event, while its state is in the processor's cache, not
      // at the window's end (refreshQueued): there, reading a few hundred actors' states again cost 0.3-0.7 us each.
      // Marked touched, ctx.enter leaves it off the list refreshQueued walks; unless it is on it already.
      const listed = actor.touched;
      actor.touched = true;
      ctx.enter(actor, timeNs);
      if (actor.status !== "running") this.holdOrLose(actor, queue.event(slot));
      else if (queue.type(slot) === EventType.packet) actor.model.onPacket(actor.state, queue.packet(slot)!, ctx);
      else actor.model.onTimer(actor.state, queue.tag(slot), queue.arg(slot), ctx);
      const queued = actor.model.queued(actor.state);
      counters.queued += queued - actor.lastQueued;
      actor.lastQueued = queued;
      actor.touched = listed;
    }
    return events;
  }

  /** The run ends at `endNs`: closes every interval up to it (the last one partially) and reports them. */
  finish(endNs: number): { intervals: IntervalData[]; counters: ShardCounters } {
    this.counters.inFlightLocal = this.queue.packetsInFlight + this.deferredPackets; // batches merged since the last window
    return { intervals: this.closeIntervals(endNs, true), counters: { ...this.counters } };
  }

  /** The counters now, batches merged since the last window counted in flight (a host resuming from a checkpoint). */
  currentCounters(): ShardCounters {
    this.counters.inFlightLocal = this.queue.packetsInFlight + this.deferredPackets;
    return { ...this.counters };
  }

  /**
   * Closes every interval that ends at or before `tNs` (and, when `final`, the one `tNs` falls in). Powered
   * actors accrue energy up to each boundary, including intervals in which nothing happened.
   */
  private closeIntervals(tNs: number, final: boolean): IntervalData[] {
    const closed: IntervalData[] = [];
    for (;;) {
      const boundary = (this.currentInterval + 1) * this.intervalNs;
      const partial = final && boundary > tNs && tNs > this.currentInterval * this.intervalNs;
      if (boundary > tNs && !partial) break;
      const until = partial ? tNs : boundary;
      for (const actor of this.ctx.meters.powered) {
        actor.power!.accrue(until);
        actor.power!.drainTo(actor.spec.index, this.ledger);
      }
      // By actor, each actor's levels in name order: the ledger takes them as they come.
      for (const actor of this.ctx.meters.levelledByIndex())
        actor.levels!.drainTo(until, actor.spec.index, this.ledger);
      if (!this.ledger.isEmpty()) closed.push(this.ledger.drain(this.currentInterval));
      this.currentInterval++;
      if (partial) break;
    }
    return closed;
  }

  /** Applies one command at `nowNs` (window start): link changes everywhere, actor commands where the actor runs. */
  private applyCommand(command: Command, nowNs: number): void {
    if (command.link != null) {
      this.linkTable.apply(command.link);
      return;
    }
    const c = command.actor;
    const actor = this.actors.get(c.actor);
    if (actor === undefined) return; // another host runs it
    this.ctx.enter(actor, nowNs);
    const args: unknown = c.argsJson ? JSON.parse(c.argsJson) : {};
    const name = c.command;
    const due = applyLifecycleCommand(actor, name, args, nowNs, this.ctx);
    if (due === null) {
      if (actor.model.onCommand === undefined)
        throw new ModelContractError(`${actor.spec.id} (${actor.spec.kind}) has no command "${name}"`);
      actor.model.onCommand(actor.state, name, args, this.ctx);
    }
    // Held events happen now, in their original key order.
    for (const event of due ?? []) {
      if (event.type === EventType.packet) this.deferredPackets--;
      this.queue.push(event);
    }
    this.ctx.leave();
  }

  /** An event for an actor that is not running: a paused actor keeps it for later, a crashed one loses it. */
  private holdOrLose(actor: LocalActor, event: SimEvent): void {
    const fate = holdOrLose(actor, event);
    if (event.type !== EventType.packet) return;
    if (fate === "held") this.deferredPackets++;
    else this.ctx.drop(event.packet!, "actor_down");
  }

  /**
   * Updates the shard's queued total from the actors bound since the last call other than by their own events
   * (runEvents takes those): commands, local calls, the start.
   */
  private refreshQueued(): void {
    const touched = this.ctx.touchedActors;
    for (const actor of touched) {
      const q = actor.model.queued(actor.state);
      this.counters.queued += q - actor.lastQueued;
      actor.lastQueued = q;
      actor.touched = false;
    }
    touched.length = 0; // emptied in place: no array per window
  }
}
