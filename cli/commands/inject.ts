/**
 * `dctwin inject ACTION [targets] [parameters]`: a live fault in a running twin (gRPC InjectFault), applied at the
 * next window boundary; `dctwin inject clear ID|--all` and `dctwin inject list`. The actions and modes are those
 * of experiment files (Chaos Mesh's): actor-crash, actor-pause, link-down, delay, loss, bandwidth, partition,
 * clock-drift, command, and the shorthands cpu-throttle, power-off, server-fail.
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { UNSUPPORTED_FAULTS } from "../../spec/requests.ts";
import { faultShorthands } from "../../nodes/models/registry.ts";
import { bandwidth, duration } from "../../spec/units.ts";
import { addClientOptions, plain, seconds, withClient, type ClientFlags } from "./control.ts";

const ACTIONS = [
  "actor-crash",
  "actor-pause",
  "link-down",
  "delay",
  "loss",
  "bandwidth",
  "partition",
  "clock-drift",
  "command",
  ...Object.keys(faultShorthands),
];
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

/** Adds selector flags (optionally prefixed, e.g. --other-actors for a partition's other side). */
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
  otherActors?: string[];
  otherKinds?: string[];
  otherGroups?: string[];
  otherLabel?: string[];
  mode: string;
  value?: string;
  seed?: string;
  duration?: string;
  name?: string;
  latency?: string;
  jitter?: string;
  loss?: string;
  bandwidth?: string;
  driftPpm?: string;
  command?: string;
  args?: string;
  clearCommand?: string;
  clearArgs?: string;
}

function faultSpec(action: string, f: InjectFlags): dctwin.v1.FaultSpec.$Properties {
  if (UNSUPPORTED_FAULTS[action] !== undefined)
    throw new InvalidArgumentError(`${action} is not supported: ${UNSUPPORTED_FAULTS[action]}`);
  if (!ACTIONS.includes(action))
    throw new InvalidArgumentError(`unknown action "${action}"; expected one of ${ACTIONS.join(", ")}`);
  const mode = MODES[f.mode];
  if (mode === undefined) throw new InvalidArgumentError(`--mode expects one of ${Object.keys(MODES).join(", ")}`);
  const spec: dctwin.v1.FaultSpec.$Properties = {
    name: f.name ?? "",
    selector: selectorFrom(f),
    mode,
    value: f.value === undefined ? 0 : Number(f.value),
    seed: f.seed === undefined ? 0 : Number(f.seed),
    durationNs: f.duration === undefined ? 0 : parse(duration(), "--duration", f.duration),
  };
  const shorthand = Object.hasOwn(faultShorthands, action) ? faultShorthands[action] : undefined;
  switch (shorthand === undefined ? action : "command") {
    case "actor-crash":
      return { ...spec, actorCrash: {} };
    case "actor-pause":
      return { ...spec, actorPause: {} };
    case "link-down":
      return { ...spec, linkDown: {} };
    case "delay":
      return {
        ...spec,
        linkDelay: {
          latencyNs: f.latency === undefined ? 0 : parse(duration({ positive: false }), "--latency", f.latency),
          jitterNs: f.jitter === undefined ? 0 : parse(duration({ positive: false }), "--jitter", f.jitter),
        },
      };
    case "loss": {
      if (f.loss === undefined)
        throw new InvalidArgumentError("loss needs --loss P (a probability, or a percentage like 10%)");
      const p = f.loss.endsWith("%") ? Number(f.loss.slice(0, -1)) / 100 : Number(f.loss);
      return { ...spec, linkLoss: { probability: p } };
    }
    case "bandwidth":
      if (f.bandwidth === undefined) throw new InvalidArgumentError('bandwidth needs --bandwidth RATE, e.g. "1Mbps"');
      return { ...spec, linkBandwidth: { bandwidthBps: parse(bandwidth(), "--bandwidth", f.bandwidth) } };
    case "partition":
      return {
        ...spec,
        partition: {
          other: selectorFrom(
            { actors: f.otherActors, kinds: f.otherKinds, groups: f.otherGroups, label: f.otherLabel },
            "other-",
          ),
        },
      };
    case "clock-drift": {
      const ppm = Number(f.driftPpm);
      if (f.driftPpm === undefined || !Number.isFinite(ppm))
        throw new InvalidArgumentError(
          "clock-drift needs --drift-ppm PPM (parts per million the clocks run fast; negative: slow)",
        );
      return { ...spec, clockDrift: { ppm } };
    }
    default:
      return {
        ...spec,
        actorCommand: {
          command: f.command ?? shorthand?.command ?? "",
          argsJson: f.args ?? "",
          clearCommand: f.clearCommand ?? shorthand?.clear ?? "",
          clearArgsJson: f.clearArgs ?? "",
        },
      };
  }
}

export function registerInjectCommand(program: Command): void {
  const inject = addSelectorOptions(
    addClientOptions(
      program
        .command("inject")
        .description(
          "Inject a fault into a running twin (at its next window boundary). `dctwin inject clear ID|--all` clears, `dctwin inject list` lists.",
        )
        .argument("<action>", `${ACTIONS.join(", ")}; or clear, list`)
        .argument("[ids...]", "fault ids (for clear)"),
    ),
  )
    .option("--links <ids>", 'targets: link ids ("a--b"), comma-separated', collect)
    .option("--mode <mode>", "how many targets: all, one, fixed, fixed-percent (seeded choice)", "all")
    .option("--value <n>", "targets for fixed, percentage for fixed-percent")
    .option("--seed <n>", "seed of the target choice (default: from the run seed and the fault id)")
    .option("--duration <d>", "clear after this simulated time (default: until cleared)")
    .option("--name <name>", "a label kept in the results")
    .option("--latency <d>", "delay: latency added to the link's")
    .option("--jitter <d>", "delay: jitter, uniform in [0, d) per packet")
    .option("--loss <p>", "loss: probability (0.1 or 10%)")
    .option("--bandwidth <rate>", 'bandwidth: the capped rate, e.g. "1Mbps"')
    .option("--drift-ppm <ppm>", "clock-drift: parts per million the actors' clocks run fast (negative: slow)")
    .option("--command <name>", "command: the model command")
    .option("--args <json>", "command: its arguments as JSON")
    .option("--clear-command <name>", "command: the command that undoes it")
    .option("--clear-args <json>", "command: its arguments as JSON")
    .option("--all", "clear: every active or pending fault");
  addSelectorOptions(inject, "other", "partition's other side");
  inject.action((action: string, ids: string[], flags: InjectFlags & { all?: boolean }) =>
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
