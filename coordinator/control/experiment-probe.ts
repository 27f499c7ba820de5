/**
 * The metrics exporters' view of a live experiment (observability/run-state.ts FaultProbe): faults from the
 * controller, load changes from its records, and each check's verdict as soon as the intervals of its window have
 * closed, from the same evaluation experiment.json records at the end (checks.ts).
 */
import type { FaultProbe } from "../observability/run-state.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import { intervalSummary, summariesUpTo, type IntervalSummary } from "../counts/interval-summary.ts";
import { LedgerBook } from "../ledgers/book.ts";
import { ledgerScope, type LedgerSnapshot } from "../ledgers/snapshot.ts";
import { evaluateCheck, type CheckSource } from "./checks.ts";
import type { RunController } from "./controller.ts";

export interface LiveExperimentProbe extends FaultProbe {
  /** Feed every closed metrics interval (the checks read its summary and snapshot). */
  onIntervalClosed(record: IntervalRecord, ledger: LedgerSnapshot): void;
  /** The summaries of the closed intervals the checks read so far (for a checkpoint; ledgers are derived again). */
  snapshot(): IntervalSummary[];
  restore(closed: readonly IntervalSummary[]): void;
}

export function experimentProbe(controller: RunController): LiveExperimentProbe {
  const scenario = controller.scenario;
  const closed = new Map<number, IntervalSummary>();
  const ledgers = new LedgerBook(ledgerScope(scenario));
  const source: CheckSource = {
    intervalNs: scenario.run.metricsIntervalNs,
    summaries: (count) => summariesUpTo(count, (index) => closed.get(index)),
    series: (endNs) => ledgers.series(undefined, endNs), // each closed interval's snapshot, kept by index
  };
  return {
    faultsNow: () => controller.faultsNow(),
    loadsNow: (closedUpToNs) =>
      [...controller.loads.values()]
        .filter((l) => l.startedNs !== null)
        .map((l) => ({
          id: l.id,
          name: l.name,
          active: l.endsNs === null ? closedUpToNs >= l.startedNs! : closedUpToNs < l.endsNs,
        })),
    checksNow: (closedUpToNs, finished) =>
      controller.plan.checks
        .filter((c) => finished || c.toNs <= closedUpToNs)
        .map((c) => {
          const v = evaluateCheck(c, scenario, source, closedUpToNs);
          return { name: c.name, verdict: v.passed === null ? "undecided" : v.passed ? "passed" : "failed" };
        }),
    onIntervalClosed(record, ledger) {
      closed.set(record.index, intervalSummary(record));
      ledgers.keep(record, ledger);
    },
    snapshot: () => [...closed.values()],
    restore(summaries) {
      closed.clear();
      for (const summary of summaries) closed.set(summary.index, summary);
    },
  };
}
