/**
 * An experiment planned against its scenario: the validated requests (scenario/experiment.ts) played through the
 * fold into timed commands (plan.ts), with remarks on check windows that do not align with metrics intervals.
 */
import { faultShorthands } from "../../nodes/models/registry.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { readExperimentFile, validateExperiment } from "../../scenario/experiment.ts";
import { ScenarioError, type ValidationIssue } from "../../scenario/issues.ts";
import type { ExperimentRequest } from "../../spec/experiment.ts";
import type { RequestIssue } from "../../spec/requests.ts";
import { buildPlan, type ExperimentPlan } from "./plan.ts";

export interface ResolvedExperiment {
  plan: ExperimentPlan;
  /** Non-fatal remarks (e.g. a check window not aligned to metrics intervals). */
  warnings: string[];
}

/**
 * Plans a validated experiment; `issues` holds the requests' own problems, and planning adds the cross-reference
 * ones (selectors, check windows) so that both show in one report. Undefined when there is any issue.
 */
export function planExperiment(
  request: ExperimentRequest,
  scenario: ResolvedScenario,
  issues: RequestIssue[],
): ResolvedExperiment | undefined {
  const plan = buildPlan(scenario, request, issues);
  if (issues.length > 0) return undefined;
  const intervalNs = scenario.run.metricsIntervalNs;
  const warnings = plan.checks
    .filter((c) => c.fromNs % intervalNs !== 0 || (c.toNs % intervalNs !== 0 && c.toNs !== scenario.run.durationNs))
    .map(
      (c) =>
        `check "${c.name}": [${c.fromNs / 1e9} s, ${c.toNs / 1e9} s) is evaluated over the whole metrics intervals (${intervalNs / 1e9} s) inside it`,
    );
  return { plan, warnings };
}

/** Validates and plans an experiment section; its problems are pushed to `issues` (paths under `prefix`). */
export function resolveExperiment(
  raw: unknown,
  scenario: ResolvedScenario,
  prefix: string,
  issues: ValidationIssue[],
): ResolvedExperiment | undefined {
  const found: RequestIssue[] = [];
  const request = validateExperiment(raw, scenario, prefix, faultShorthands, found);
  const resolved = request === undefined ? undefined : planExperiment(request, scenario, found);
  issues.push(...found.map((f) => ({ path: f.path, message: f.message })));
  return resolved;
}

/** Reads and plans an experiment file (`dctwin run --experiment FILE`, a commands.json or an experiment.json). */
export function loadExperimentFile(file: string, scenario: ResolvedScenario): ResolvedExperiment {
  const { raw, prefix } = readExperimentFile(file);
  const issues: ValidationIssue[] = [];
  const resolved = resolveExperiment(raw, scenario, prefix, issues);
  if (resolved === undefined) throw new ScenarioError(file, issues);
  return resolved;
}
