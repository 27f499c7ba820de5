/** `dctwin thermo solve FILE`: exact steady state, currents, entropy production and cycles of a small Markov model. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse } from "yaml";
import { solveMarkovModel, validateMarkovModel, type MarkovModelSpec } from "../../coordinator/thermo/index.ts";
import { EXIT_INVALID } from "./flags.ts";

export function registerThermoCommand(program: Command): void {
  const thermo = program.command("thermo").description("Stochastic-thermodynamics tools.");
  thermo
    .command("solve")
    .description("Solve a Markov model given by rates (YAML: states, transitions {from, to, rate, mechanism?}) exactly.")
    .argument("<file>", "model YAML file")
    .option("--json", "print the full solution as JSON")
    .action((file: string, opts: { json?: boolean }) => {
      let spec: unknown;
      try {
        spec = parse(readFileSync(file, "utf8"));
      } catch (error) {
        console.error(`${file}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
        process.exit(EXIT_INVALID);
      }
      const issues = validateMarkovModel(spec);
      if (issues.length > 0) {
        console.error(`${file}: ${issues.length} problem${issues.length === 1 ? "" : "s"}`);
        for (const i of issues) console.error(`  ${i.path === "" ? "" : `${i.path}: `}${i.message}`);
        process.exit(EXIT_INVALID);
      }
      const solution = solveMarkovModel(spec as MarkovModelSpec);
      if (opts.json) {
        console.log(JSON.stringify(solution, null, 2));
        return;
      }
      const lines = [`σ = ${solution.sigmaKbPerS} k_B/s (from cycles: ${solution.sigmaFromCyclesKbPerS}); ${solution.independentCycles} independent cycle(s)`, "", "state  probability"];
      for (const s of solution.states) lines.push(`${s.state.padEnd(6)} ${s.probability}`);
      lines.push("", "edge (mechanism)        net current (1/s)   force (k_B)   σ (k_B/s)");
      for (const e of solution.edges) lines.push(`${`${e.from}→${e.to}${e.mechanism ? ` (${e.mechanism})` : ""}`.padEnd(22)}  ${fmt(e.netCurrentPerS)}  ${fmt(e.forceKb)}  ${fmt(e.sigmaKbPerS)}`);
      for (const e of solution.irreversible) lines.push(`${`${e.from}→${e.to}${e.mechanism ? ` (${e.mechanism})` : ""}`.padEnd(22)}  ${fmt(e.currentPerS)}  irreversible (no reverse rate)`);
      if (solution.cycles.length > 0) {
        lines.push("", "cycle                   affinity (k_B)  current (1/s)  J·A (k_B/s)");
        for (const c of solution.cycles) lines.push(`${c.states.join("→").padEnd(22)}  ${fmt(c.affinityKb)}  ${fmt(c.currentPerS)}  ${fmt(c.sigmaKbPerS)}`);
      }
      console.log(lines.join("\n"));
    });
}

function fmt(x: number | null): string {
  return (x === null ? "∞" : x.toPrecision(10)).padStart(16);
}
