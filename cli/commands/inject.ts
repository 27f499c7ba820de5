/**
 * `dctwin inject ACTION [targets] [parameters]`: a live fault in a running twin (gRPC InjectFault), applied at the
 * next window boundary; `dctwin inject clear ID|--all` and `dctwin inject list`. The actions and modes are those
 * of experiment files (Chaos Mesh's): every registered fault action (spec/faults/registry.ts) with the flags its
 * module declares, and the kinds' shorthands (cpu-throttle, power-off, server-fail, ...). A flag's text is checked
 * by the same schema as the parameter in an experiment file.
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { CliFlag, FaultActionDef } from "../../spec/faults/define.ts";
import { faultActionToProto } from "../../spec/faults/proto.ts";
import { actionFromFields, actionNames, faultActions, lookupFaultAction } from "../../spec/faults/registry.ts";
import type { RequestIssue } from "../../spec/requests.ts";
import { faultShorthands } from "../../nodes/models/registry.ts";
import { duration } from "../../spec/units.ts";
import { addClientOptions, plain, seconds, withClient, type ClientFlags } from "./control.ts";

const MODES: Record<string, number> = { all: 1, one: 2, fixed: 3, "fixed-percent": 4 };

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== ""),
];

function labels(pairs: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new InvalidArgumentError(`${flag} expects KEY=VALUE, got ${JSON.stringify(pair)}`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

function parse<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  flag: string,
  text: string,
): T {
  const r = schema.safeParse(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (!r.success) throw new InvalidArgumentError(`${flag}: ${r.error.issues[0]?.message ?? "invalid"}`);
  return r.data;
}

interface SelectorFlags {
  actors?: string[];
  kinds?: string[];
  groups?: string[];
  label?: string[];
  links?: string[];
}

/** Adds selector flags (optionally prefixed: `--<prefix>-actors`, ...). */
export function addSelectorOptions(command: Command, prefix = "", what = "targets"): Command {
  const p = prefix === "" ? "" : `${prefix}-`;
  return command
    .option(`--${p}actors <ids>`, `${what}: actor ids, comma-separated ("*" wildcards)`, collect)
    .option(`--${p}kinds <kinds>`, `${what}: actor kinds`, collect)
    .option(`--${p}groups <groups>`, `${what}: actor groups`, collect)
    .option(
      `--${p}label <key=value>`,
      `${what}: actor label that must match (repeatable)`,
      (v: string, prev: string[] = []) => [...prev, v],
    );
}

export function selectorFrom(flags: SelectorFlags, flagPrefix = ""): dctwin.v1.Selector.$Properties {
  return {
    actors: flags.actors ?? [],
    kinds: flags.kinds ?? [],
    groups: flags.groups ?? [],
    labels: labels(flags.label, `--${flagPrefix}label`),
    links: flags.links ?? [],
  };
}

interface InjectFlags extends ClientFlags, SelectorFlags {
  mode: string;
  value?: string;
  seed?: string;
  duration?: string;
  name?: string;
  /** The actions' own flags, by commander's attribute name (`--drift-ppm`: driftPpm). */
  [flag: string]: unknown;
}

/** Every action's flags, each name once (actions may share one). */
function actionFlags(): CliFlag[] {
  const byName = new Map<string, CliFlag>();
  for (const def of faultActions())
    for (const flag of def.flags) if (!byName.has(flag.name)) byName.set(flag.name, flag);
  return [...byName.values()];
}

/** Commander's attribute for a flag: `drift-ppm` → `driftPpm`. */
function attribute(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function flagValue(flag: CliFlag, given: unknown): unknown {
  if (flag.list === true) return given;
  if (flag.pairs === true) return labels(given as string[], `--${flag.name}`);
  const text = String(given);
  if (flag.parse !== undefined) return flag.parse(text);
  return text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
}

/** Sets `a.b` inside a copy of the fields. */
function withField(fields: Record<string, unknown>, field: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = field.split(".");
  if (rest.length === 0) return { ...fields, [head!]: value };
  const inner = (fields[head!] ?? {}) as Record<string, unknown>;
  return { ...fields, [head!]: withField(inner, rest.join("."), value) };
}

/** A parameter's problem under the flag that sets it (the longest flag field that starts the path). */
function flagProblem(def: FaultActionDef, issue: RequestIssue): string {
  const flag = def.flags
    .filter(
      (f) => issue.path === f.field || issue.path.startsWith(`${f.field}.`) || issue.path.startsWith(`${f.field}[`),
    )
    .sort((a, b) => b.field.length - a.field.length)[0];
  return `${flag === undefined ? issue.path : `--${flag.name}`}: ${issue.message}`;
}

/** The FaultSpec of `dctwin inject ACTION`: the flags of the action's parameters, checked as an experiment's. */
function faultSpec(action: string, f: InjectFlags): dctwin.v1.FaultSpec.$Properties {
  const found = lookupFaultAction(action, faultShorthands);
  if (found === undefined)
    throw new InvalidArgumentError(
      `unknown action "${action}"; expected one of ${actionNames(faultShorthands).join(", ")}`,
    );
  const mode = MODES[f.mode];
  if (mode === undefined) throw new InvalidArgumentError(`--mode expects one of ${Object.keys(MODES).join(", ")}`);
  const own = new Set(found.def.flags.map((flag) => flag.name));
  let fields = found.preset;
  for (const flag of actionFlags()) {
    const given = f[attribute(flag.name)];
    if (given === undefined) continue;
    if (!own.has(flag.name)) throw new InvalidArgumentError(`--${flag.name} is not a parameter of ${action}`);
    fields = withField(fields, flag.field, flagValue(flag, given));
  }
  const issues: RequestIssue[] = [];
  const built = actionFromFields(found.def, fields, (field) => field, issues, action);
  if (built === undefined) throw new InvalidArgumentError(issues.map((i) => flagProblem(found.def, i)).join("; "));
  return {
    name: f.name ?? "",
    selector: selectorFrom(f),
    mode,
    value: f.value === undefined ? 0 : Number(f.value),
    seed: f.seed === undefined ? 0 : Number(f.seed),
    durationNs: f.duration === undefined ? 0 : parse(duration(), "--duration", f.duration),
    ...faultActionToProto(built),
  };
}

export function registerInjectCommand(program: Command): void {
  const inject = addSelectorOptions(
    addClientOptions(
      program
        .command("inject")
        .description(
          "Inject a fault into a running twin (at its next window boundary). `dctwin inject clear ID|--all` clears, `dctwin inject list` lists.",
        )
        .argument("<action>", `${actionNames(faultShorthands).join(", ")}; or clear, list`)
        .argument("[ids...]", "fault ids (for clear)"),
    ),
  )
    .option("--links <ids>", 'targets: link ids ("a--b"), comma-separated', collect)
    .option("--mode <mode>", "how many targets: all, one, fixed, fixed-percent (seeded choice)", "all")
    .option("--value <n>", "targets for fixed, percentage for fixed-percent")
    .option("--seed <n>", "seed of the target choice (default: from the run seed and the fault id)")
    .option("--duration <d>", "clear after this simulated time (default: until cleared)")
    .option("--name <name>", "a label kept in the results")
    .option("--all", "clear: every active or pending fault");
  for (const flag of actionFlags()) {
    const option = `--${flag.name} <${flag.value}>`;
    if (flag.list === true) inject.option(option, `${flag.help}, comma-separated`, collect);
    else if (flag.pairs === true)
      inject.option(option, `${flag.help} (repeatable)`, (v: string, prev: string[] = []) => [...prev, v]);
    else inject.option(option, flag.help);
  }
  inject.action((action: string, ids: string[], flags: InjectFlags) =>
    withClient(flags, async (client) => {
      if (action === "list") {
        const { faults } = await client.call("listFaults", { includeCleared: true });
        if (flags.json) return console.log(JSON.stringify(plain(faults), null, 2));
        for (const f of faults)
          console.log(
            `${f.id}  ${["?", "pending", "active", "cleared"][f.state ?? 0]}  ${f.action}  ${seconds(f.injectedNs)} → ${seconds(Number(f.clearedNs ?? -1) >= 0 ? f.clearedNs : f.clearDueNs)}  ${(f.targets ?? []).join(", ")}`,
          );
        return;
      }
      if (action === "clear") {
        let targets = ids;
        if (flags.all) targets = (await client.call("listFaults", {})).faults.map((f) => f.id ?? "");
        else if (targets.length === 0)
          throw new InvalidArgumentError("clear needs fault ids (see dctwin inject list) or --all");
        for (const id of targets) {
          const f = await client.call("clearFault", { id });
          console.log(
            flags.json
              ? JSON.stringify(plain(f))
              : `${f.id}: ${["?", "pending", "active (clears at the next boundary)", "cleared"][f.state]}`,
          );
        }
        return;
      }
      if (ids.length > 0)
        throw new InvalidArgumentError(
          `unexpected argument ${JSON.stringify(ids[0])}: select targets with --actors, --kinds, --groups, --label or --links`,
        );
      const fault = await client.call("injectFault", { fault: faultSpec(action, flags) });
      if (flags.json) return console.log(JSON.stringify(plain(fault), null, 2));
      console.log(
        `${fault.id}: ${fault.action} on ${fault.targets.join(", ")} (applied at the next window boundary${Number(fault.spec?.durationNs ?? 0) > 0 ? `, for ${seconds(fault.spec!.durationNs)}` : ""})`,
      );
    }),
  );
}
