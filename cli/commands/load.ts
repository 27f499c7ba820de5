/**
 * `dctwin load set|ramp|spike|stages`: change the arrival rate of client populations in a running twin (gRPC
 * ChangeLoad). Targets are a factor of each client's scenario rate (`--factor 2`) or the clients' total
 * (`--rate 1600`); ramps and stages move linearly in steps (k6's ramping-arrival-rate, in simulated time).
 * `dctwin load curve --curve JSON` (or `--curve-file FILE`, YAML or JSON) replaces the open-loop clients' arrival
 * process, e.g. `--curve '{"process":"diurnal","mean_rate_per_s":800,"amplitude":0.5,"period":"60s"}'`.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { parse as parseYaml } from "yaml";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { duration } from "../../spec/units.ts";
import { addClientOptions, plain, seconds, withClient, type ClientFlags } from "./control.ts";
import { addSelectorOptions, selectorFrom } from "./inject.ts";

interface LoadFlags extends ClientFlags {
  actors?: string[];
  kinds?: string[];
  groups?: string[];
  label?: string[];
  factor?: string;
  rate?: string;
  over?: string;
  for?: string;
  stage?: string[];
  step?: string;
  name?: string;
  curve?: string;
  curveFile?: string;
}

/** The arrival process of `load curve`, as JSON text for the request (the twin checks its fields). */
function curveJson(f: LoadFlags): string {
  if ((f.curve === undefined) === (f.curveFile === undefined))
    throw new InvalidArgumentError("curve needs exactly one of --curve JSON or --curve-file FILE");
  if (f.curve !== undefined) {
    try {
      return JSON.stringify(JSON.parse(f.curve));
    } catch {
      throw new InvalidArgumentError(
        `--curve: expected a JSON object like {"process":"poisson","rate_per_s":500}, got ${JSON.stringify(f.curve)}`,
      );
    }
  }
  let value: unknown;
  try {
    value = parseYaml(readFileSync(f.curveFile!, "utf8"));
  } catch (error) {
    throw new InvalidArgumentError(`--curve-file: ${(error as Error).message.split("\n")[0]}`);
  }
  // A file may hold the process itself or a scenario-style {arrivals: {...}}.
  const v = value as Record<string, unknown> | null;
  return JSON.stringify(
    v !== null && typeof v === "object" && "arrivals" in v && Object.keys(v).length === 1 ? v.arrivals : value,
  );
}

function ns(flag: string, text: string): number {
  const r = duration().safeParse(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (!r.success) throw new InvalidArgumentError(`${flag}: expected a positive duration like "2s"`);
  return r.data;
}

function target(f: { factor?: string; rate?: string }): dctwin.v1.LoadTarget.$Properties {
  if ((f.factor === undefined) === (f.rate === undefined))
    throw new InvalidArgumentError(
      "give exactly one of --factor F (× the scenario's rate) or --rate R (the clients' total per second)",
    );
  return f.factor !== undefined ? { factor: Number(f.factor) } : { ratePerS: Number(f.rate) };
}

/** "2s:x2" (factor 2 over 2 s) or "5s:1600" (a total of 1600/s over 5 s). */
function stage(text: string): dctwin.v1.Stage.$Properties {
  const m = /^([^:]+):(x?)([0-9.]+(?:e[+-]?\d+)?)$/.exec(text.trim());
  if (m === null)
    throw new InvalidArgumentError(
      `--stage expects DURATION:xFACTOR or DURATION:RATE (e.g. 2s:x2 or 5s:1600), got ${JSON.stringify(text)}`,
    );
  return {
    durationNs: ns("--stage", m[1]!),
    target: m[2] === "x" ? { factor: Number(m[3]) } : { ratePerS: Number(m[3]) },
  };
}

export function registerLoadCommand(program: Command): void {
  const load = addSelectorOptions(
    addClientOptions(
      program
        .command("load")
        .description(
          "Change client load in a running twin: set, ramp (linearly over --over), spike (for --for, then back), stages (k6-style --stage D:TARGET ...), curve (a new arrival process: --curve JSON or --curve-file FILE); `dctwin load list`.",
        )
        .argument("<change>", "set, ramp, spike, stages, curve or list"),
    ),
    "",
    "clients (default: every open-loop client)",
  )
    .option("--factor <f>", "target: × each client's scenario rate")
    .option("--rate <r>", "target: the selected clients' total rate per second")
    .option("--over <d>", "ramp: how long the ramp takes")
    .option("--for <d>", "spike: how long it lasts")
    .option(
      "--stage <d:target>",
      "stages: ramp to TARGET over D (xF for a factor, R for a total rate); repeatable",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option("--step <d>", "ramp resolution (default: 100 ms or a tenth of the ramp)")
    .option(
      "--curve <json>",
      'curve: the new open-loop process, e.g. {"process":"diurnal","mean_rate_per_s":800,"amplitude":0.5,"period":"60s"}',
    )
    .option("--curve-file <file>", "curve: the new process from a YAML or JSON file (the process, or {arrivals: ...})")
    .option("--name <name>", "a label kept in the results");
  load.action((change: string, flags: LoadFlags) =>
    withClient(flags, async (client) => {
      if (change === "list") {
        const { changes } = await client.call("listLoadChanges", {});
        if (flags.json) return console.log(JSON.stringify(plain(changes), null, 2));
        for (const c of changes)
          console.log(
            `${c.id}  ${c.source}  from ${seconds(c.startedNs)} to ${seconds(c.endsNs)}  ${c.stepsApplied}/${c.steps} steps  ${(c.targets ?? []).join(", ")}`,
          );
        return;
      }
      const spec: dctwin.v1.LoadChangeSpec.$Properties = {
        name: flags.name ?? "",
        selector: selectorFrom(flags),
        stepNs: flags.step === undefined ? 0 : ns("--step", flags.step),
      };
      switch (change) {
        case "set":
          spec.set = target(flags);
          break;
        case "ramp":
          if (flags.over === undefined) throw new InvalidArgumentError("ramp needs --over D");
          spec.ramp = { target: target(flags), durationNs: ns("--over", flags.over) };
          break;
        case "spike":
          if (flags.for === undefined) throw new InvalidArgumentError("spike needs --for D");
          spec.spike = { target: target(flags), durationNs: ns("--for", flags.for) };
          break;
        case "stages":
          if (flags.stage === undefined) throw new InvalidArgumentError("stages needs --stage D:TARGET (repeatable)");
          spec.stages = { stages: flags.stage.map(stage) };
          break;
        case "curve":
          if (flags.factor !== undefined || flags.rate !== undefined)
            throw new InvalidArgumentError(
              "curve replaces the arrival process and keeps the load factor; change the factor with set (--factor/--rate) separately",
            );
          spec.curve = { arrivalsJson: curveJson(flags) };
          break;
        default:
          throw new InvalidArgumentError(
            `unknown change "${change}"; expected set, ramp, spike, stages, curve or list`,
          );
      }
      const c = await client.call("changeLoad", { change: spec });
      console.log(
        flags.json
          ? JSON.stringify(plain(c), null, 2)
          : `${c.id}: ${change} on ${c.targets.join(", ")} (starts at the next window boundary)`,
      );
    }),
  );
}
