/**
 * What the faults want the twin to be, and what it is.
 *
 * `FaultBook` folds the active faults over the scenario: per link field, the most recently injected active fault
 * that sets it wins (else the scenario's value); an actor is down if any crash is active, else paused if any pause
 * is. `ActualState` follows every command applied (scheduled, live or replayed). A fault event turns into the
 * commands that move the actual state of the fields it owns to the wanted one, so overlapping faults compose and
 * clearing one restores what the others still want.
 */
import type { CommandSpec } from "../driver/run-driver.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { ActorStatus, FaultEffect, LinkField, LinkFields } from "./faults/effect.ts";

export type { ActorStatus, FaultEffect, LinkField, LinkFields } from "./faults/effect.ts";
export { emptyEffect } from "./faults/effect.ts";

function baseLinks(scenario: ResolvedScenario): LinkFields[] {
  return scenario.links.map((l) => ({
    up: true,
    latencyNs: l.latencyNs,
    jitterNs: 0,
    loss: l.loss,
    bandwidthBps: l.bandwidthBps,
  }));
}

export class FaultBook {
  private readonly base: LinkFields[];
  /** Active faults in injection order (Map keeps insertion order). */
  private readonly active = new Map<string, FaultEffect>();

  constructor(scenario: ResolvedScenario) {
    this.base = baseLinks(scenario);
  }

  has(id: string): boolean {
    return this.active.has(id);
  }

  /** The active faults' effects in injection order (plain data, for a checkpoint). */
  snapshot(): [string, FaultEffect][] {
    return [...this.active];
  }

  restore(active: readonly [string, FaultEffect][]): void {
    this.active.clear();
    for (const [id, effect] of active) this.active.set(id, effect);
  }

  get size(): number {
    return this.active.size;
  }

  add(id: string, effect: FaultEffect): void {
    this.active.set(id, effect);
  }

  remove(id: string): FaultEffect | undefined {
    const effect = this.active.get(id);
    this.active.delete(id);
    return effect;
  }

  wantedLink(link: number): LinkFields {
    const fields = { ...this.base[link]! };
    for (const effect of this.active.values()) Object.assign(fields, effect.links.get(link) ?? {});
    return fields;
  }

  wantedActor(actor: number): ActorStatus {
    let paused = false;
    for (const effect of this.active.values()) {
      const what = effect.actors.get(actor);
      if (what === "crash") return "down";
      if (what === "pause") paused = true;
    }
    return paused ? "paused" : "running";
  }
}

export class ActualState {
  readonly links: LinkFields[];
  readonly actors: ActorStatus[];
  private readonly base: LinkFields[];

  constructor(scenario: ResolvedScenario) {
    this.base = baseLinks(scenario);
    this.links = baseLinks(scenario);
    this.actors = scenario.actors.map(() => "running");
  }

  /** Link fields and actor statuses as plain data (for a checkpoint). */
  snapshot(): { links: LinkFields[]; actors: ActorStatus[] } {
    return { links: this.links.map((l) => ({ ...l })), actors: [...this.actors] };
  }

  restore(state: { links: readonly LinkFields[]; actors: readonly ActorStatus[] }): void {
    if (state.links.length !== this.links.length || state.actors.length !== this.actors.length)
      throw new Error("the control state is of another scenario (link or actor count differs)");
    state.links.forEach((l, i) => (this.links[i] = { ...l }));
    state.actors.forEach((a, i) => (this.actors[i] = a));
  }

  /** Follows one applied command with the runtime's semantics (nodes/runtime/shard.ts applyCommand). */
  apply(command: CommandSpec): void {
    const l = command.link;
    if (l != null) {
      const fields = this.links[l.link ?? -1];
      if (fields === undefined) return;
      if (l.up != null) fields.up = l.up;
      if (l.latencyNs != null) fields.latencyNs = Number(l.latencyNs);
      if (l.jitterNs != null) fields.jitterNs = Number(l.jitterNs);
      if (l.loss != null) fields.loss = l.loss;
      if (l.bandwidthBps != null) fields.bandwidthBps = l.bandwidthBps;
      return;
    }
    const a = command.actor;
    if (a == null) return;
    const index = a.actor ?? -1;
    const status = this.actors[index];
    if (status === undefined) return;
    if (a.command === "crash") this.actors[index] = "down";
    else if (a.command === "recover" && status === "down") this.actors[index] = "running";
    else if (a.command === "pause" && status === "running") this.actors[index] = "paused";
    else if (a.command === "resume" && status === "paused") this.actors[index] = "running";
  }

  /** Actors crashed or paused right now. */
  faultedActors(): number {
    return this.actors.filter((s) => s !== "running").length;
  }

  /** Links down or off their scenario values. */
  faultedLinks(): number {
    let n = 0;
    this.links.forEach((l, i) => {
      const b = this.base[i]!;
      if (
        !l.up ||
        l.latencyNs !== b.latencyNs ||
        l.jitterNs !== b.jitterNs ||
        l.loss !== b.loss ||
        l.bandwidthBps !== b.bandwidthBps
      )
        n++;
    });
    return n;
  }
}

/** Commands moving `actual` to what `book` wants, on the given link fields and actors (in index order). */
export function reconcile(
  book: FaultBook,
  actual: ActualState,
  links: ReadonlyMap<number, ReadonlySet<LinkField>>,
  actors: readonly number[],
): CommandSpec[] {
  const commands: CommandSpec[] = [];
  for (const link of [...links.keys()].sort((a, b) => a - b)) {
    const want = book.wantedLink(link);
    const have = actual.links[link]!;
    const change: Record<string, unknown> = {};
    for (const field of [...links.get(link)!].sort()) if (want[field] !== have[field]) change[field] = want[field];
    if (Object.keys(change).length > 0) commands.push({ link: { link, ...change } });
  }
  for (const actor of [...new Set(actors)].sort((a, b) => a - b)) {
    for (const command of transition(actual.actors[actor]!, book.wantedActor(actor)))
      commands.push({ actor: { actor, command, argsJson: "" } });
  }
  return commands;
}

/** Runtime commands from one actor status to another (a paused actor resumes before it crashes, so what it held is not stuck). */
function transition(from: ActorStatus, to: ActorStatus): string[] {
  if (from === to) return [];
  const steps: Record<ActorStatus, Record<ActorStatus, string[]>> = {
    running: { running: [], down: ["crash"], paused: ["pause"] },
    down: { running: ["recover"], down: [], paused: ["recover", "pause"] },
    paused: { running: ["resume"], down: ["resume", "crash"], paused: [] },
  };
  return steps[from][to];
}

/** The link fields and actors an effect touches (what a fault event reconciles). */
export function touched(effect: FaultEffect): { links: Map<number, Set<LinkField>>; actors: number[] } {
  const links = new Map<number, Set<LinkField>>();
  for (const [link, fields] of effect.links) links.set(link, new Set(Object.keys(fields) as LinkField[]));
  return { links, actors: [...effect.actors.keys()] };
}

export function mergeTouched(
  into: { links: Map<number, Set<LinkField>>; actors: number[] },
  more: { links: Map<number, Set<LinkField>>; actors: number[] },
): void {
  for (const [link, fields] of more.links) {
    const set = into.links.get(link) ?? new Set<LinkField>();
    for (const f of fields) set.add(f);
    into.links.set(link, set);
  }
  into.actors.push(...more.actors);
}
