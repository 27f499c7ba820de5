/** Runs a scenario (a plain object, as a YAML file would give) in-process and returns its summary and outcome. */
import { join } from "node:path";
import { runTwin, type TwinRunOptions } from "../../coordinator/run.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { validateScenario } from "../../coordinator/scenario-loader.ts";

let runs = 0;

export interface RunOptions {
  /** Names the run's output directory under `outRoot` and the scenario in validation errors. */
  name?: string;
  hosts?: number;
  schedule?: TwinRunOptions["schedule"];
}

export async function runScenario(scenario: unknown, outRoot: string, options: RunOptions = {}) {
  return runResolved(validateScenario(scenario, options.name ?? "test-scenario").scenario, outRoot, options);
}

/** Runs an already resolved scenario (e.g. from loadScenarioFile). */
export async function runResolved(resolved: ResolvedScenario, outRoot: string, options: RunOptions = {}) {
  const outDir = join(outRoot, options.name ?? `run-${runs++}`);
  const result = await runTwin({
    scenario: resolved,
    hosts: options.hosts ?? 1,
    transport: "inproc",
    outDir,
    schedule: options.schedule,
    keepIntervalRecords: true, // tests read per-interval records and energy totals after the run
  });
  const energy = result.outcome.aggregator.energyByActor();
  /** Joules of one actor (all components, or one), by id. */
  const joules = (id: string, component?: string): number => {
    const index = resolved.actors.findIndex((a) => a.id === id);
    const byComponent = energy.get(index) ?? new Map<string, number>();
    return component === undefined
      ? [...byComponent.values()].reduce((s, j) => s + j, 0)
      : (byComponent.get(component) ?? 0);
  };
  return { ...result, resolved, joules, outDir };
}

/** A scheduled actor command for `runScenario`. */
export function actorCommand(resolvedIndex: number, timeNs: number, command: string, args: unknown = {}) {
  return { timeNs, command: { actor: { actor: resolvedIndex, command, argsJson: JSON.stringify(args) } } };
}
