/**
 * Leap mode's settings: the step (given, or chosen by the τ-selection rule), and what leap mode can run.
 *
 * The step is the window: every packet a leaping actor sends mid-step is delivered at the next step boundary
 * (the quantum rule of the window protocol), so each link hop takes one step of pipeline and the actor handles it
 * at its next mid-step. That needs: link latency below half a step, a step that divides the metrics interval,
 * and experiment commands on step boundaries.
 */
import type { LinkSpec, ActorSpec, LeapSettings } from "../nodes/runtime/topology.ts";
import type { ScenarioFile } from "./schema.ts";
import type { ValidationIssue } from "./issues.ts";
import type { KindCatalogue } from "./kinds.ts";
import type { CommandSpec } from "../spec/commands.ts";

const MS = 1_000_000;
/** Steps come from 1-2-5 decades (1 ms … 1 h), so a chosen step reads well and divides round intervals. */
const LADDER = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  900_000, 1_800_000, 3_600_000,
].map((ms) => ms * MS);
/** At least this many steps in a run, so the per-hop pipeline (one step per hop: ~10 on a fat-tree round trip) holds under 0.1% of it. */
const MIN_STEPS_PER_RUN = 10_000;

/** The largest relative rate change per unit time of an actor's load curve (1/ns); 0 for a constant rate. */
function loadCurveSpeed(actor: ActorSpec): number {
  if (actor.kind !== "client") return 0;
  const arrivals = (actor.params as { arrivals: { process: string; amplitude?: number; period?: number } }).arrivals;
  if (arrivals.process !== "diurnal" || (arrivals.amplitude ?? 0) === 0) return 0;
  // λ = m(1 + a cos ωt): |λ'|/λ = aω|sin|/(1 + a cos) peaks at aω/√(1 − a²); a is capped so a full swing to 0 stays finite.
  const a = Math.min(arrivals.amplitude!, 0.99);
  return (a * 2 * Math.PI) / arrivals.period! / Math.sqrt(1 - a * a);
}

export function resolveLeap(
  kinds: KindCatalogue,
  data: ScenarioFile,
  durationNs: number,
  actors: readonly ActorSpec[],
  actorPaths: readonly string[],
  links: readonly LinkSpec[],
  issues: ValidationIssue[],
): LeapSettings | undefined {
  if (data.run.mode !== "leap") return undefined;
  const { step, epsilon, fast_ratio, samples } = data.run.leap;
  const intervalNs = data.run.metrics_interval;
  const maxLatencyNs = links.reduce((m, l) => Math.max(m, l.latencyNs), 0);
  for (const actor of actors) {
    const problem = !kinds.leapKinds.includes(actor.kind)
      ? `leap mode cannot run actors of kind "${actor.kind}" yet (it runs ${kinds.leapKinds.join(", ")})`
      : kinds.leapUnsupported(actor);
    if (problem !== null) issues.push({ path: actorPaths[actor.index] ?? `actors[${actor.index}]`, message: problem });
  }
  let stepNs: number;
  if (step === "auto") {
    const curve = actors.reduce((m, a) => Math.max(m, loadCurveSpeed(a)), 0);
    const upper = Math.min(
      intervalNs,
      durationNs / MIN_STEPS_PER_RUN,
      curve > 0 ? epsilon / curve : Number.POSITIVE_INFINITY,
    );
    const fits = LADDER.filter((s) => s <= upper && intervalNs % s === 0 && s > 2 * maxLatencyNs);
    stepNs = fits.at(-1) ?? LADDER.find((s) => intervalNs % s === 0 && s > 2 * maxLatencyNs) ?? intervalNs;
  } else stepNs = step;
  if (intervalNs % stepNs !== 0)
    issues.push({ path: "run.leap.step", message: `must divide run.metrics_interval (${intervalNs / 1e9} s)` });
  if (stepNs <= 2 * maxLatencyNs)
    issues.push({
      path: "run.leap.step",
      message: `must exceed twice the largest link latency (${maxLatencyNs} ns): a hop must land within half a step`,
    });
  return { stepNs, epsilon, fastRatio: fast_ratio, samples };
}

/** Leap mode applies faults and load changes at step boundaries: a command time that is not one is an error. */
export function checkLeapTimes(steps: readonly { timeNs: number }[], stepNs: number, issues: ValidationIssue[]): void {
  for (const s of steps) {
    if (s.timeNs % stepNs !== 0)
      issues.push({
        path: "experiment",
        message: `leap mode applies commands at step boundaries: ${s.timeNs / 1e9} s is not a multiple of the step (${stepNs / 1e9} s)`,
      });
  }
}

/**
 * Commands leap mode cannot apply yet: a pause (or any runtime command but crash and recover) of an ml_training
 * worker, whose job advances by a law the whole ring shares (nodes/leap/ml-training.ts: a paused worker's held
 * steps would not stall the others).
 */
export function checkLeapCommands(
  steps: readonly { timeNs: number; commands: readonly CommandSpec[] }[],
  actors: readonly ActorSpec[],
  issues: ValidationIssue[],
): void {
  for (const s of steps)
    for (const c of s.commands) {
      const actor = c.actor == null ? undefined : actors[c.actor.actor];
      if (actor?.kind === "ml_training" && c.actor!.command !== "crash" && c.actor!.command !== "recover")
        issues.push({
          path: "experiment",
          message: `leap mode does not model "${c.actor!.command}" of ml_training worker "${actor.id}" at ${s.timeNs / 1e9} s yet`,
        });
    }
}
