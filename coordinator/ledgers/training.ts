/**
 * The training floor of docs/thermo.md (Tkachenko, arXiv:2503.09980): training N parameters on D examples costs at
 * least 2·N·D·k_B·T; η_train = 2·N·D·k_B·T / E_train. Per ML training group whose workers state `parameters`
 * and `examples_per_step`: D counts the examples of the steps the workers completed, E_train the GPU energy of
 * those same steps (`step_energy_uj`), so both cover the same steps whatever the warm-up.
 */
import { kindTraits } from "../../nodes/models/registry.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { BOLTZMANN_J_PER_K } from "../thermo/index.ts";

/** The step energy metric as the summary reports it: `{group: {count, sum}}` in µJ. */
type StepEnergy = Record<string, { count: number; sum: number }> | undefined;

export function trainingLedger(scenario: ResolvedScenario, stepEnergyUj: StepEnergy) {
  const temperatureK = scenario.run.ambientTemperatureK;
  const groups = new Map<string, { parameters: Set<number>; examplesPerStep: Set<number> }>();
  for (const actor of scenario.actors) {
    const model = kindTraits(actor.kind).training?.(actor.params as Record<string, unknown>);
    if (model === undefined) continue;
    let g = groups.get(actor.group);
    if (g === undefined) groups.set(actor.group, (g = { parameters: new Set(), examplesPerStep: new Set() }));
    g.parameters.add(model.parameters);
    g.examplesPerStep.add(model.examplesPerStep);
  }
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([group, g]) => {
      const steps = stepEnergyUj?.[group]?.count ?? 0;
      const energyJ = (stepEnergyUj?.[group]?.sum ?? 0) * 1e-6;
      // Workers of one job share N; they may take different shares of the batch only if every step is equal.
      const parameters = Math.max(...g.parameters);
      const examples = g.examplesPerStep.size === 1 ? steps * [...g.examplesPerStep][0]! : null;
      const floorJ = examples === null ? null : 2 * parameters * examples * BOLTZMANN_J_PER_K * temperatureK;
      return {
        group,
        parameters,
        worker_steps: steps,
        examples_trained: examples,
        step_energy_j: energyJ,
        training_floor_j: floorJ,
        eta_train: floorJ !== null && energyJ > 0 ? floorJ / energyJ : null,
        ...(g.parameters.size > 1
          ? { note: "workers of this group state different parameter counts: the largest is used" }
          : {}),
        ...(examples === null
          ? { note: "workers of this group state different examples_per_step: give each job its own group" }
          : {}),
      };
    });
}
