/**
 * The change book: a run's fault and load-change records (planned, live or replayed), their ids, their states as
 * they are injected, cleared and stepped, the simulated times at which faults came and went, and what each change
 * meant at its time (the notes of the replay file). It computes no command: change-effects.ts does.
 */
import type { StepNote } from "../../spec/experiment.ts";

export interface FaultRecord {
  id: string;
  name: string;
  action: string;
  source: string;
  targets: string[];
  /** The request as given (internal form), or the recorded one in a replay. */
  spec: unknown;
  state: "pending" | "active" | "cleared";
  injectedNs: number | null;
  clearedNs: number | null;
  clearDueNs: number | null;
  durationNs: number | null;
  /** A planned (or replayed) fault: the simulated time it is due. */
  plannedNs: number | null;
}

export interface LoadRecord {
  id: string;
  name: string;
  source: string;
  targets: string[];
  spec: unknown;
  startedNs: number | null;
  endsNs: number | null;
  steps: number;
  stepsApplied: number;
}

/** A change book as plain data (a checkpoint's control state: control-state.ts). */
export interface ChangeBookState {
  faults: FaultRecord[];
  loads: LoadRecord[];
  changes: { timeNs: number; kind: "inject" | "clear" }[];
  notes: [number, StepNote[]][];
  liveCount: number;
}

type LiveFault = Pick<FaultRecord, "name" | "action" | "targets" | "spec" | "durationNs">;
type LiveLoad = Pick<LoadRecord, "name" | "targets" | "spec">;

export class ChangeBook {
  readonly faults = new Map<string, FaultRecord>();
  readonly loads = new Map<string, LoadRecord>();
  /** Fault injections and clearings by simulated time, in the order they took effect. */
  private readonly changes: { timeNs: number; kind: "inject" | "clear" }[] = [];
  private readonly notes = new Map<number, StepNote[]>();
  private liveCount = 0;

  snapshot(): ChangeBookState {
    return {
      faults: [...this.faults.values()].map((f) => ({ ...f })),
      loads: [...this.loads.values()].map((l) => ({ ...l })),
      changes: this.changes.map((c) => ({ ...c })),
      notes: [...this.notes].map(([t, notes]) => [t, [...notes]]),
      liveCount: this.liveCount,
    };
  }

  /** Puts the book back as `snapshot` took it (replacing what it holds). */
  restore(state: ChangeBookState): void {
    this.faults.clear();
    for (const f of state.faults) this.faults.set(f.id, { ...f });
    this.loads.clear();
    for (const l of state.loads) this.loads.set(l.id, { ...l });
    this.changes.splice(0, this.changes.length, ...state.changes.map((c) => ({ ...c })));
    this.notes.clear();
    for (const [t, notes] of state.notes) this.notes.set(t, [...notes]);
    this.liveCount = state.liveCount;
  }

  /** The id the next live fault gets (`live-N`); live faults and loads count together. */
  nextFaultId(): string {
    return `live-${++this.liveCount}`;
  }

  nextLoadId(): string {
    return `load-${++this.liveCount}`;
  }

  /** A live fault, pending until the next boundary. */
  addLiveFault(id: string, fault: LiveFault): FaultRecord {
    const record: FaultRecord = {
      id,
      source: "live",
      state: "pending",
      injectedNs: null,
      clearedNs: null,
      clearDueNs: null,
      plannedNs: null,
      ...fault,
    };
    this.faults.set(id, record);
    return record;
  }

  /** A live load change, started at the next boundary. */
  addLiveLoad(id: string, load: LiveLoad): LoadRecord {
    const record: LoadRecord = {
      id,
      source: "live",
      startedNs: null,
      endsNs: null,
      steps: 0,
      stepsApplied: 0,
      ...load,
    };
    this.loads.set(id, record);
    return record;
  }

  /** The record of a planned (or replayed) fault or load change, created pending when first seen. */
  addPlanned(note: StepNote, t: number): void {
    if (note.type === "load-start" && !this.loads.has(note.id)) {
      this.loads.set(note.id, {
        id: note.id,
        name: note.name,
        source: note.source,
        targets: note.targets,
        spec: note.spec,
        startedNs: null,
        endsNs: note.endsNs,
        steps: note.steps,
        stepsApplied: 0,
      });
    }
    if (note.type === "fault-inject" && !this.faults.has(note.id)) {
      this.faults.set(note.id, {
        id: note.id,
        name: note.name,
        action: note.action,
        source: note.source,
        targets: note.targets,
        spec: note.spec,
        state: "pending",
        injectedNs: null,
        clearedNs: null,
        clearDueNs: note.clearDueNs,
        durationNs: note.clearDueNs === null ? null : note.clearDueNs - t,
        plannedNs: t,
      });
    }
  }

  /** Fault `id` took effect at `t`. */
  injected(id: string, t: number): FaultRecord {
    const record = this.faults.get(id)!;
    record.state = "active";
    record.injectedNs = t;
    this.changes.push({ timeNs: t, kind: "inject" });
    return record;
  }

  /** Fault `id` cleared at `t`; false when it was not active (nothing happens then). */
  cleared(id: string, t: number): boolean {
    const record = this.faults.get(id);
    if (record === undefined || record.state !== "active") return false;
    record.state = "cleared";
    record.clearedNs = t;
    this.changes.push({ timeNs: t, kind: "clear" });
    return true;
  }

  /** A fault withdrawn before it took effect. */
  withdrawn(id: string): void {
    this.faults.get(id)!.state = "cleared";
  }

  loadStarted(id: string, t: number): LoadRecord | undefined {
    const record = this.loads.get(id);
    if (record !== undefined) record.startedNs = t;
    return record;
  }

  loadStepped(id: string): void {
    const record = this.loads.get(id);
    if (record !== undefined) record.stepsApplied++;
  }

  /** Records what a change meant at simulated time `t` (for the replay file). */
  note(t: number, note: StepNote): void {
    const list = this.notes.get(t) ?? [];
    list.push(note);
    this.notes.set(t, list);
  }

  /** Notes of every change at each simulated time. */
  notesByTime(): Map<number, StepNote[]> {
    return this.notes;
  }

  /** Injections and clearings in [startNs, endNs). */
  changesIn(startNs: number, endNs: number): { injected: number; cleared: number } {
    let injected = 0;
    let cleared = 0;
    for (const c of this.changes)
      if (c.timeNs >= startNs && c.timeNs < endNs) {
        if (c.kind === "inject") injected++;
        else cleared++;
      }
    return { injected, cleared };
  }

  list(includeCleared: boolean): FaultRecord[] {
    return [...this.faults.values()].filter((f) => includeCleared || f.state !== "cleared");
  }

  count(state: FaultRecord["state"]): number {
    let n = 0;
    for (const f of this.faults.values()) if (f.state === state) n++;
    return n;
  }

  hasActiveLive(): boolean {
    for (const f of this.faults.values()) if (f.source === "live" && f.state === "active") return true;
    return false;
  }

  /** For the metrics exporter: the faults injected so far (in force or cleared), and the counts. */
  faultsNow() {
    const injected = [...this.faults.values()].filter((f) => f.injectedNs !== null);
    return {
      faults: injected.map((f) => ({ id: f.id, action: f.action, active: f.state === "active" })),
      injected: injected.length,
      cleared: this.count("cleared"),
    };
  }
}
