/**
 * Faults and load changes as the control layer sees them, whichever way they arrive (an experiment file, the
 * gRPC API, the CLI): units resolved (integer nanoseconds, bits per second), targets not chosen yet.
 */

/** Which actors or links; every non-empty criterion must match (ids may use `*`). */
export interface SelectorSpec {
  actors: string[];
  kinds: string[];
  groups: string[];
  labels: Record<string, string>;
  links: string[];
}

export type SelectMode = "all" | "one" | "fixed" | "fixed-percent";

/** How many of the matching targets to take, drawn from a seeded stream (reproducible). */
export interface TargetChoice {
  mode: SelectMode;
  /** Count (fixed) or percentage (fixed-percent). */
  value: number;
  /** null: derived from the run seed and the fault's id. */
  seed: number | null;
}

/**
 * What a fault does: its action's name and parameters, defined by the action's module (spec/faults/, e.g.
 * `{type: "delay", latencyNs, jitterNs}`) and resolved to commands by the coordinator (coordinator/control/faults/).
 */
export interface FaultAction {
  readonly type: string;
}

/**
 * A fault action that stands for a model command (e.g. `cpu-throttle` for a server's `throttle`), and the command
 * that clears it. Kinds declare theirs in the model registry (nodes/models/traits.ts); shown as actions of their own.
 */
export interface FaultShorthand {
  command: string;
  clear: string;
}

export interface FaultRequest {
  name: string;
  selector: SelectorSpec;
  choice: TargetChoice;
  action: FaultAction;
  /** null: until cleared (or the run ends). */
  durationNs: number | null;
}

/** A target arrival rate: the selected clients' total, or a factor of each one's scenario rate. */
export type LoadTarget = { ratePerS: number } | { factor: number };

export type LoadChangeKind =
  | { type: "set"; target: LoadTarget }
  | { type: "ramp"; target: LoadTarget; durationNs: number }
  | { type: "spike"; target: LoadTarget; durationNs: number }
  | { type: "stages"; stages: { target: LoadTarget; durationNs: number }[] }
  /**
   * Replaces the clients' open-loop arrival process (a poisson, mmpp or diurnal curve, as the scenario's `arrivals`
   * is written: durations with units or in seconds), kept as given; the load factor stays and multiplies it.
   */
  | { type: "curve"; arrivals: unknown };

export interface LoadRequest {
  name: string;
  selector: SelectorSpec;
  /** Ramp resolution; null: 100 ms or a tenth of the ramp, whichever is less. */
  stepNs: number | null;
  change: LoadChangeKind;
}

export function emptySelector(): SelectorSpec {
  return { actors: [], kinds: [], groups: [], labels: {}, links: [] };
}

/** A problem with a request, keyed by its field path; `notFound` when it names something that does not exist. */
export interface RequestIssue {
  path: string;
  message: string;
  notFound?: boolean;
}

/** A request was refused: the first issue decides the status code; all are in the message. */
export class RequestError extends Error {
  override name = "RequestError";
  readonly issues: readonly RequestIssue[];

  constructor(issues: readonly RequestIssue[]) {
    super(issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; "));
    this.issues = issues;
  }

  get notFound(): boolean {
    return this.issues[0]?.notFound === true;
  }

  get field(): string {
    return this.issues[0]?.path ?? "";
  }
}

/** The run is not in a state that allows the call (ended, not waiting, ...). */
export class PreconditionError extends Error {
  override name = "PreconditionError";
}
