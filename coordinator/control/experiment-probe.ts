/**
 * The metrics exporters' view of a live experiment (observability/run-state.ts FaultProbe): faults from the
 * controller, load changes from its records, and each check's verdict as soon as the intervals of its window have
 * closed, from the same evaluation experiment.json records at the end (checks.ts).
 */
import type { FaultProbe } from "../observability/run-state.ts";
import { RunAggregator, type IntervalRecord } from "../counts/aggregate.ts";
import { LedgerBook } from "../ledgers/book.ts";
import { ledgerScope, type LedgerSnapshot } from "../ledgers/snapshot.ts";
import { evaluateCheck } from "./checks.ts";
import type { RunController } from "./controller.ts";

export interface LiveExperimentProbe extends FaultProbe {
  /** Feed every closed metrics interval (the checks read them). */
  onIntervalClosed(record: IntervalRecord, ledger: LedgerSnapshot): void;
  /** The closed intervals the checks read so far (for a checkpoint; ledgers are derived again from them). */
  snapshot(): IntervalRecord[];
  restore(closed: readonly IntervalRecord[]): void;
}

export function experimentProbe(controller: RunController): LiveExperimentProbe {
  const scenario = controller.scenario;
  const closed = new RunAggregator(scenario.run.metricsIntervalNs);
  const ledgers = new LedgerBook(ledgerScope(scenario));
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
          const v = evaluateCheck(c, scenario, closed, ledgers, closedUpToNs);
          return { name: c.name, verdict: v.passed === null ? "undecided" : v.passed ? "passed" : "failed" };
        }),
    onIntervalClosed(record, ledger) {
      closed.intervals.set(record.index, record);
      ledgers.keep(record, ledger);
    },
    snapshot: () => [...closed.intervals.values()],
    restore(records) {
      closed.intervals.clear();
      for (const record of records) closed.intervals.set(record.index, record);
    },
  };
}
