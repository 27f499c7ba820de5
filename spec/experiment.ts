/**
 * An experiment as validated plain data (scenario/experiment.ts builds it from YAML, a commands.json or an
 * experiment.json): faults and load changes with their repeat times, checks with their windows, and raw recorded
 * steps. The coordinator plans it against the scenario (coordinator/control/plan.ts).
 */
import type { CommandSpec } from "./commands.ts";
import type { FaultRequest, LoadRequest } from "./requests.ts";
import type { Threshold } from "./threshold.ts";

/** results/<run>/experiment.json's schema tag (coordinator/control/results.ts writes it); such a file replays as its `replay` section. */
export const EXPERIMENT_RESULTS_SCHEMA = "dctwin.experiment/v1";

export type { CommandSpec } from "./commands.ts";

/** What a step of a plan means, kept with its commands (the controller's records; a replay file keeps them). */
export type StepNote =
  | {
      type: "fault-inject";
      id: string;
      name: string;
      action: string;
      source: string;
      targets: string[];
      clearDueNs: number | null;
      spec: unknown;
    }
  | { type: "fault-clear"; id: string }
  | {
      type: "load-start";
      id: string;
      name: string;
      source: string;
      targets: string[];
      steps: number;
      endsNs: number | null;
      spec: unknown;
    }
  | { type: "load-step"; id: string };

export interface Repeat {
  atNs: number;
  /** null: once. */
  everyNs: number | null;
  /** Occurrences in all; null: until the run ends. */
  times: number | null;
}

export interface PlannedFault {
  request: FaultRequest;
  when: Repeat;
  path: string;
}

export interface PlannedLoad {
  request: LoadRequest;
  when: Repeat;
  path: string;
}

/** A check relative to a fault or load change, or absolute. */
export interface PlannedCheck {
  name: string;
  threshold: Threshold;
  path: string;
  window:
    | { type: "absolute"; fromNs: number; toNs: number | null }
    | { type: "before" | "during" | "after"; of: string; forNs: number | null; delayNs: number };
}

export interface RawStep {
  timeNs: number;
  commands: CommandSpec[];
  notes: StepNote[];
  path: string;
}

/** A validated experiment, before planning. `declared`: every name it gives, valid or not. */
export interface ExperimentRequest {
  seed: number;
  faults: PlannedFault[];
  loads: PlannedLoad[];
  checks: PlannedCheck[];
  raw: RawStep[];
  declared: ReadonlySet<string>;
}
