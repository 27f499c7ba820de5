/**
 * `dctwin thermo solve FILE`: exact steady state, currents (with their exact scaled variance, Fano factor and TUR
 * figures), entropy production and cycles of a small Markov model. `dctwin thermo simulate FILE`: Gillespie
 * replicas of it, with σ̂ and current statistics beside the exact values.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse } from "yaml";
import { solveMarkovModel, validateMarkovModel, type MarkovModelSpec } from "../../coordinator/thermo/index.ts";
import { simulateReplicas } from "../../coordinator/thermo/simulate.ts";
import { EXIT_INVALID, nonNegativeInt, positiveInt, positiveNumber } from "./flags.ts";
import { counted } from "./counted.ts";

export function registerThermoCommand(program: Command): void {
  const thermo = program.command("thermo").description("Stochastic-thermodynamics tools.");
  thermo
    .command("solve")
    .description(
      "Solve a Markov model given by rates (YAML: states, transitions {from, to, rate, mechanism?}) exactly.",
    )
    .argument("<file>", "model YAML file")
    .option("--json", "print the full solution as JSON")
    .action((file: string, opts: { json?: boolean }) => {
      const solution = solveMarkovModel(readModel(file));
      if (opts.json) {
        console.log(JSON.stringify(solution, null, 2));
        return;
      }
      const lines = [
        `σ = ${solution.sigmaKbPerS} k_B/s (from cycles: ${solution.sigmaFromCyclesKbPerS}); ${solution.independentCycles} independent cycle(s)`,
        "",
        "state  probability",
      ];
      for (const s of solution.states) lines.push(`${s.state.padEnd(6)} ${s.probability}`);
      lines.push("", "edge (mechanism)        net current (1/s)   force (k_B)   σ (k_B/s)");
      for (const e of solution.edges)
        lines.push(
          `${`${e.from}→${e.to}${e.mechanism ? ` (${e.mechanism})` : ""}`.padEnd(22)}  ${fmt(e.netCurrentPerS)}  ${fmt(e.forceKb)}  ${fmt(e.sigmaKbPerS)}`,
        );
      lines.push(
        "",
        "edge current: scaled variance D = Var(J_T)/T, Fano D/|J|, TUR Q = σD/J² (≥ 2), σ_TUR = 2J²/D (≤ σ)",
      );
      for (const e of solution.edges)
        lines.push(
          `${`${e.from}→${e.to}${e.mechanism ? ` (${e.mechanism})` : ""}`.padEnd(22)}  D ${fmt(e.current.scaledVariancePerS)}  Fano ${fmt(e.current.fanoFactor)}  Q ${fmt(e.current.precisionCostQ)}  σ_TUR ${fmt(e.current.sigmaTurKbPerS)}`,
        );
      for (const e of solution.irreversible)
        lines.push(
          `${`${e.from}→${e.to}${e.mechanism ? ` (${e.mechanism})` : ""}`.padEnd(22)}  ${fmt(e.currentPerS)}  irreversible (no reverse rate)`,
        );
      if (solution.cycles.length > 0) {
        lines.push("", "cycle                   affinity (k_B)  current (1/s)  J·A (k_B/s)");
        for (const c of solution.cycles)
          lines.push(
            `${c.states.join("→").padEnd(22)}  ${fmt(c.affinityKb)}  ${fmt(c.currentPerS)}  ${fmt(c.sigmaKbPerS)}`,
          );
      }
      console.log(lines.join("\n"));
    });
  thermo
    .command("simulate")
    .description(
      "Gillespie replicas of a Markov model: σ̂ from pooled counts with a jackknife error, current statistics, beside the exact values.",
    )
    .argument("<file>", "model YAML file")
    .requiredOption("--time <seconds>", "length of each replica, in seconds", positiveNumber)
    .option("--replicas <n>", "independent replicas (at least 2)", positiveInt("--replicas"), 20)
    .option("--seed <n>", "random seed", nonNegativeInt, 1)
    .option("--json", "print the full result as JSON")
    .action((file: string, opts: { time: number; replicas: number; seed: number; json?: boolean }) => {
      if (opts.replicas < 2) {
        console.error("--replicas: at least 2 replicas are needed for an error bar");
        process.exit(EXIT_INVALID);
      }
      const result = simulateReplicas(readModel(file), { timeS: opts.time, replicas: opts.replicas, seed: opts.seed });
      if (opts.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      const exact =
        result.exact_sigma_kb_per_s === null ? "∞ (a mechanism has no reverse)" : String(result.exact_sigma_kb_per_s);
      const lines = [
        `${result.replicas} replicas of ${result.time_s} s (seed ${result.seed}), ${result.jumps} jumps`,
        `σ̂ = ${result.sigma_kb_per_s} ± ${result.sigma_stderr_kb_per_s} k_B/s (jackknife over replicas); exact ${exact}${result.z_score === null ? "" : `; z = ${result.z_score.toFixed(2)}`}`,
        "",
        "edge (mechanism)        current (1/s)        ± stderr    exact    scaled variance    exact",
      ];
      for (const e of result.edges)
        lines.push(
          `${`${e.from}→${e.to}${e.mechanism ? ` (${e.mechanism})` : ""}`.padEnd(22)}  ${fmt(e.current_per_s)}  ${fmt(e.current_stderr_per_s)}  ${fmt(e.exact.current_per_s)}  ${fmt(e.scaled_variance_per_s)}  ${fmt(e.exact.scaled_variance_per_s)}`,
        );
      console.log(lines.join("\n"));
    });
}

/** Reads and validates a model file; bad input prints the field paths and exits 2. */
function readModel(file: string): MarkovModelSpec {
  let spec: unknown;
  try {
    spec = parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.error(`${file}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    process.exit(EXIT_INVALID);
  }
  const issues = validateMarkovModel(spec);
  if (issues.length > 0) {
    console.error(`${file}: ${counted(issues.length, "problem")}`);
    for (const i of issues) console.error(`  ${i.path === "" ? "" : `${i.path}: `}${i.message}`);
    process.exit(EXIT_INVALID);
  }
  return spec as MarkovModelSpec;
}

function fmt(x: number | null): string {
  return (x === null ? "∞" : x.toPrecision(10)).padStart(16);
}
