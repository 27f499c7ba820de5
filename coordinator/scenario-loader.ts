/**
 * Loading a scenario for a run: validated by scenario/ against the registered kinds (nodes/kind-catalogue.ts),
 * its experiment planned here, every problem of the file reported at once (a ScenarioError).
 */
import { kindCatalogue } from "../nodes/kind-catalogue.ts";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { checkLeapCommands, checkLeapTimes } from "../scenario/leap-settings.ts";
import {
  validateScenario as validateData,
  validateScenarioFile,
  validateScenarioText,
  type ScenarioOverrides,
  type ValidatedScenario,
} from "../scenario/load.ts";
import type { RequestIssue } from "../spec/requests.ts";
import { planExperiment, type ResolvedExperiment } from "./control/experiment.ts";

export type { ScenarioOverrides };

export interface LoadedScenario {
  scenario: ResolvedScenario;
  /** Things that are allowed but worth saying (e.g. a quantum above the smallest latency). */
  warnings: string[];
  /** The scenario's `experiment` section, planned against its actors and links. */
  experiment?: ResolvedExperiment;
}

export function loadScenarioFile(file: string, overrides: ScenarioOverrides = {}): LoadedScenario {
  return planned(file, validateScenarioFile(file, kindCatalogue, overrides));
}

export function loadScenarioText(text: string, file: string, overrides: ScenarioOverrides = {}): LoadedScenario {
  return planned(file, validateScenarioText(text, file, kindCatalogue, overrides));
}

export function validateScenario(raw: unknown, file: string, overrides: ScenarioOverrides = {}): LoadedScenario {
  return planned(file, validateData(raw, file, kindCatalogue, overrides));
}

function planned(file: string, validated: ValidatedScenario): LoadedScenario {
  const { scenario, experiment: request } = validated;
  const found: RequestIssue[] = [...validated.experimentIssues];
  const experiment = request === undefined ? undefined : planExperiment(request, scenario, found);
  const issues = [...validated.issues, ...found.map((f) => ({ path: f.path, message: f.message }))];
  const leap = scenario.run.mode === "leap" ? scenario.run.leap : undefined;
  if (leap !== undefined && experiment !== undefined) {
    checkLeapTimes(experiment.plan.steps, leap.stepNs, issues);
    checkLeapCommands(experiment.plan.steps, scenario.actors, issues);
  }
  if (issues.length > 0) throw new ScenarioError(file, issues);
  return {
    scenario,
    warnings: [...validated.warnings, ...(experiment?.warnings ?? [])],
    ...(experiment === undefined ? {} : { experiment }),
  };
}
