/**
 * experiment.json: what the experiment did and found — every fault (planned, live or replayed) with its targets
 * and simulated times, the load changes, the steady-state checks and their verdicts, the active-fault counts per
 * metrics interval, and `replay`: the applied commands grouped by simulated time with what each step meant.
 * `dctwin run SCENARIO --experiment experiment.json` replays it exactly (commands.json replays too, without the
 * fault records). faults.csv has the per-interval counts as a table.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunOutcome } from "../driver/run-driver.ts";
import type { RunAggregator } from "../counts/aggregate.ts";
import { evaluateCheck, type CheckSource, type CheckVerdict } from "./checks.ts";
import { summariesUpTo, type IntervalSummary } from "../counts/interval-summary.ts";
import type { LedgerBook } from "../ledgers/book.ts";
import type { RunController } from "./controller.ts";
import type { CommandSpec } from "../driver/run-driver.ts";
import { EXPERIMENT_RESULTS_SCHEMA, type StepNote } from "../../spec/experiment.ts";

const s = (ns: number | null) => (ns === null ? null : ns / 1e9);

export interface ExperimentOutcome {
  checks: CheckVerdict[];
  passed: number;
  /** Failed or undecided (no data). */
  failed: number;
  faults: number;
}

/** What the checks read of a finished run: its summaries (in index order from 0) and its ledger snapshots. */
export function runCheckSource(
  aggregator: RunAggregator,
  ledgers: LedgerBook,
  intervals: readonly IntervalSummary[],
): CheckSource {
  return {
    intervalNs: aggregator.intervalNs,
    summaries: (count) => summariesUpTo(count, (index) => intervals[index]),
    series: (endNs) => ledgers.series(aggregator, endNs),
  };
}

/** `ledgers` and `intervals`: every interval's snapshot and summary (TwinRunResult), which the checks read. */
export function writeExperimentResults(
  outDir: string,
  controller: RunController,
  outcome: RunOutcome,
  ledgers: LedgerBook,
  intervals: readonly IntervalSummary[],
): ExperimentOutcome {
  const scenario = controller.scenario;
  const source = runCheckSource(outcome.aggregator, ledgers, intervals);
  const checks = controller.plan.checks.map((c) => evaluateCheck(c, scenario, source, outcome.simTimeNs));
  const passed = checks.filter((c) => c.passed === true).length;

  const byTime = new Map<number, { commands: CommandSpec[]; notes: StepNote[] }>();
  const at = (t: number) => {
    let step = byTime.get(t);
    if (step === undefined) {
      step = { commands: [], notes: [] };
      byTime.set(t, step);
    }
    return step;
  };
  for (const c of [...outcome.appliedCommands].sort((a, b) => a.seq - b.seq)) at(c.timeNs).commands.push(c.command);
  for (const [t, notes] of controller.notesByTime()) if (t <= outcome.simTimeNs) at(t).notes.push(...notes);

  const doc = {
    schema: EXPERIMENT_RESULTS_SCHEMA,
    scenario: scenario.run.name,
    seed: scenario.run.seed,
    status: outcome.status,
    sim_time_s: outcome.simTimeNs / 1e9,
    faults: [...controller.faults.values()].map((f) => ({
      id: f.id,
      name: f.name,
      action: f.action,
      source: f.source,
      targets: f.targets,
      state: f.state,
      injected_s: s(f.injectedNs),
      cleared_s: s(f.clearedNs),
      clear_due_s: s(f.clearDueNs),
    })),
    load_changes: [...controller.loads.values()].map((l) => ({
      id: l.id,
      name: l.name,
      source: l.source,
      targets: l.targets,
      started_s: s(l.startedNs),
      ends_s: s(l.endsNs),
      steps: l.steps,
      steps_applied: l.stepsApplied,
    })),
    checks,
    checks_passed: passed,
    checks_failed: checks.length - passed,
    intervals: controller.intervalFaultRows().map((r) => ({
      t_start_s: r.startNs / 1e9,
      t_end_s: r.endNs / 1e9,
      active_faults: r.activeFaults,
      faulted_actors: r.faultedActors,
      faulted_links: r.faultedLinks,
      faults_injected: r.injected,
      faults_cleared: r.cleared,
    })),
    replay: {
      steps: [...byTime.entries()]
        .sort(([a], [b]) => a - b)
        .map(([time_ns, step]) => ({ time_ns, commands: step.commands, notes: step.notes })),
      checks: controller.plan.checks.map((c) => ({
        name: c.name,
        threshold: c.threshold.text,
        from: `${c.fromNs}ns`,
        to: `${c.toNs}ns`,
      })),
    },
  };
  writeFileSync(join(outDir, "experiment.json"), `${JSON.stringify(doc, null, 2)}\n`);
  const rows = ["t_start_s,t_end_s,active_faults,faulted_actors,faulted_links,faults_injected,faults_cleared"];
  for (const r of doc.intervals)
    rows.push(
      `${r.t_start_s},${r.t_end_s},${r.active_faults},${r.faulted_actors},${r.faulted_links},${r.faults_injected},${r.faults_cleared}`,
    );
  writeFileSync(join(outDir, "faults.csv"), `${rows.join("\n")}\n`);
  return { checks, passed, failed: checks.length - passed, faults: controller.faults.size };
}
