/**
 * What a fault action is, whichever front end it comes through: its parameters as an experiment file writes them
 * (with their schemas), the CLI flags that set them, its FaultSpec case on the wire, and how the three become one
 * `FaultAction`. One module per action (this folder) defines these; `registry.ts` lists them, and the YAML, CLI and
 * gRPC front ends iterate the registry. What an action does to the twin (its targets and commands) is resolved by
 * the coordinator (coordinator/control/faults/), joined by the action's name.
 */
import type { z } from "zod";
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { FaultAction, RequestIssue } from "../requests.ts";

/** A field of the action in the caller's words: an experiment file's key, a CLI flag or a proto field path. */
export type FieldPath = (field: string) => string;

/** The FaultSpec `action` oneof cases that carry a built-in action (`plugin` carries any other by name). */
export type ProtoCase = Exclude<
  keyof dctwin.v1.FaultSpec.$Properties,
  "name" | "selector" | "mode" | "value" | "seed" | "durationNs" | "$unknowns" | "action" | "plugin"
>;

/** One flag of `dctwin inject`: `--name <value>` sets the parameter `field`. */
export interface CliFlag {
  name: string;
  value: string;
  help: string;
  /** The parameter it sets; "clear.command" sets `command` inside `clear`. */
  field: string;
  /** The flag's text as the parameter's value (default: a number when it reads as one, else the text). */
  parse?: (text: string) => unknown;
  /** Comma-separated and repeatable: a list of strings. */
  list?: true;
  /** Repeatable KEY=VALUE: a map. */
  pairs?: true;
}

/** The action's own message on the wire (`fault.link_delay`), with the wire's units. */
export interface ProtoMapping<A extends FaultAction, M> {
  case: ProtoCase;
  /** Where each parameter is on the wire, under the FaultSpec (`latency` → `link_delay.latency_ns`). */
  paths: Readonly<Record<string, string>>;
  /** The action from its message; problems name the wire fields under `path` (`fault.link_delay`). */
  from(message: M, path: string, issues: RequestIssue[]): A;
  to(action: A): M;
}

export interface FaultActionDef<A extends FaultAction = FaultAction, M = unknown> {
  /** Its name in experiment files, on the command line and in records: `delay`, `clock-drift`, ... */
  type: A["type"];
  /** One line for help texts. */
  summary: string;
  /** Its parameters as experiment files write them (units as text: "5ms", "10%"), each with its schema. */
  fields: Readonly<Record<string, z.ZodType>>;
  /**
   * The action from its parameters (each parsed by its schema; absent ones undefined). Problems name the
   * parameter through `at`, so each front end reports them in its own words.
   */
  build(fields: Readonly<Record<string, unknown>>, at: FieldPath, issues: RequestIssue[]): A;
  /**
   * Checks the action whichever way it came (the wire can carry what the schemas refuse, e.g. a zero delay);
   * run when the action is resolved.
   */
  check?(action: A, at: FieldPath, issues: RequestIssue[]): void;
  /** Its parameters back as an experiment file writes them (records and the `plugin` wire case show them). */
  toFields?(action: A): Record<string, unknown>;
  flags: readonly CliFlag[];
  /** Its own FaultSpec case; without one it travels as `plugin` (its name and its parameters as JSON). */
  proto?: ProtoMapping<A, M>;
  /** The name listings and records show (default: `type`). */
  label?(action: A): string;
}

/** Checks a definition's types against each other and erases them for the registry. */
export function defineFaultAction<A extends FaultAction, M>(def: FaultActionDef<A, M>): FaultActionDef {
  return def as unknown as FaultActionDef;
}
