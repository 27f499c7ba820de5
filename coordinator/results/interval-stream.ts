/**
 * The results taking each metrics interval as it closes, in index order (an interval no host reported gets an
 * empty record when a later one closes, or at the end): its ledger snapshot (ledgers/book.ts), its rows of
 * timeseries.csv, links.csv, thermo.csv and its line of intervals.jsonl (appended to the files as they go:
 * streamed-file.ts), and what summary.json needs of it (interval-totals.ts). Once taken, the aggregator may let the
 * record go (RunAggregator.keepClosed), so the coordinator's memory does not grow with the record of every
 * interval. A checkpoint keeps the stream's state (`state`), and a resumed run goes on from it (`IntervalStream`'s
 * `restored`), so the part files belong to the run directory only while the run lasts: a run that ends writes its
 * results from them (`finish`, also a failed or interrupted run's partial results), and every run then removes
 * what is left of them (`close`, also when the process exits at once, e.g. on a second Ctrl-C).
 */
import { join } from "node:path";
import { registerSnapshotClasses } from "../../nodes/runtime/snapshot-codec.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { emptyInterval, type IntervalRecord, type RunAggregator } from "../counts/aggregate.ts";
import { sortedKeys } from "../counts/sorted-keys.ts";
import { BatchTotals } from "../ledgers/batches.ts";
import { LedgerBook } from "../ledgers/book.ts";
import { EnergyTotals } from "../ledgers/energy-totals.ts";
import { THERMO_CSV_HEADER, thermoRow } from "../ledgers/series.ts";
import {
  intervalEndNs,
  ledgerScope,
  storedSnapshot,
  type LedgerSnapshot,
  type StoredSnapshot,
} from "../ledgers/snapshot.ts";
import { INTERVALS_FILE, intervalsHeaderLine } from "../observability/intervals-file.ts";
import { runViewFromScenario, type RunView } from "../observability/run-view.ts";
import { QUEUE_MOVES_FILE, queueMovesLine } from "./auto-warmup.ts";
import { writeIntervalLine } from "./interval-line.ts";
import { IntervalTotals } from "./interval-totals.ts";
import { removeStreamingDir, StreamedFile } from "./streamed-file.ts";
import { TextBuffer } from "./text-buffer.ts";
import { LINKS_CSV_HEADER, LinkRows, METRICS_CSV_HEADER, metricRows } from "./timeseries.ts";

registerSnapshotClasses({ IntervalTotals, EnergyTotals, BatchTotals });

/** What a checkpoint keeps of the stream. */
export interface IntervalStreamState {
  /** The next interval to take. */
  next: number;
  /** Each streamed file's bytes so far, by file name. */
  files: Record<string, Uint8Array>;
  ledgers: Map<number, StoredSnapshot>;
  totals: IntervalTotals;
}

/** The streamed files (the analyst tables are built at the end from intervals.jsonl's lines). */
const FILES = {
  timeseries: "timeseries.csv",
  links: "links.csv",
  thermo: "thermo.csv",
  intervals: INTERVALS_FILE,
};
type FileKey = keyof typeof FILES;

export class IntervalStream {
  readonly ledgers: LedgerBook;
  readonly totals: IntervalTotals;
  private next: number;
  private readonly scenario: ResolvedScenario;
  private readonly view: RunView;
  private readonly files: Record<FileKey, StreamedFile>;
  /** With `run.warmup: auto`: each interval's queue moves, read when the batches are known (auto-warmup.ts). */
  private readonly moves: StreamedFile | undefined;
  private readonly linkRows: LinkRows;
  /** Where links.csv's rows and intervals.jsonl's line are written before they are appended (one interval's). */
  private readonly text = new TextBuffer();
  private readonly outDir: string;
  /** Removes the parts if the process exits before `finish` or `close` (process.exit skips every finally). */
  private readonly onExit: () => void;

  /** `restored`: the coordinator checkpoint's state of the stream. */
  constructor(scenario: ResolvedScenario, outDir: string, restored?: { results?: unknown }) {
    this.scenario = scenario;
    this.outDir = outDir;
    this.view = runViewFromScenario(scenario, "");
    this.linkRows = new LinkRows(scenario);
    const state = restored === undefined ? undefined : checkedState(restored.results);
    this.next = state?.next ?? 0;
    this.ledgers = new LedgerBook(ledgerScope(scenario), state?.ledgers);
    this.totals = state?.totals ?? new IntervalTotals(scenario);
    const start = (key: FileKey, header: string) => state?.files[FILES[key]] ?? header;
    this.files = {
      timeseries: new StreamedFile(outDir, FILES.timeseries, start("timeseries", `${METRICS_CSV_HEADER}\n`)),
      links: new StreamedFile(outDir, FILES.links, start("links", `${LINKS_CSV_HEADER}\n`)),
      thermo: new StreamedFile(outDir, FILES.thermo, start("thermo", `${THERMO_CSV_HEADER}\n`)),
      intervals: new StreamedFile(outDir, FILES.intervals, start("intervals", "")),
    };
    this.moves =
      scenario.run.warmupAuto === true
        ? new StreamedFile(outDir, QUEUE_MOVES_FILE, state?.files[QUEUE_MOVES_FILE] ?? "")
        : undefined;
    this.onExit = () => removeStreamingDir(outDir);
    process.once("exit", this.onExit);
  }

  /** An interval that has just closed at `endNs` (intervals before it that no host reported are taken first). */
  take(record: IntervalRecord, endNs: number): LedgerSnapshot {
    if (record.index < this.next)
      throw new Error(`interval ${record.index} closed again after the results took it (they are at ${this.next})`);
    const intervalNs = this.scenario.run.metricsIntervalNs;
    while (this.next < record.index) this.takeOne(emptyInterval(this.next), (this.next + 1) * intervalNs);
    return this.takeOne(record, endNs);
  }

  /** The stream's state for a checkpoint. */
  state(): IntervalStreamState {
    const files: Record<string, Uint8Array> = {};
    for (const key of Object.keys(FILES) as FileKey[]) files[FILES[key]] = this.files[key].contents();
    if (this.moves !== undefined) files[QUEUE_MOVES_FILE] = this.moves.contents();
    return { next: this.next, files, ledgers: this.ledgers.saved(), totals: this.totals };
  }

  /**
   * The run ended at `simTimeNs`: the intervals up to it not taken yet (empty ones, or all of them from
   * `aggregator` when the stream was not fed as they closed) are taken, and the streamed files written. The
   * queue-moves part stays until `close`, for the batches of a `run.warmup: auto` run (`queueMovesPath`).
   */
  finish(aggregator: RunAggregator, simTimeNs: number): void {
    this.takeUpTo(aggregator, simTimeNs);
    this.files.timeseries.finish(join(this.outDir, FILES.timeseries));
    this.files.links.finish(join(this.outDir, FILES.links));
    this.files.thermo.finish(join(this.outDir, FILES.thermo));
    this.files.intervals.finish(join(this.outDir, FILES.intervals), intervalsHeaderLine(this.view, simTimeNs));
    this.moves?.close();
  }

  /** The queue-moves part (`run.warmup: auto` only), readable from `finish` to `close`. */
  get queueMovesPath(): string {
    if (this.moves === undefined) throw new Error("the queue moves are kept only with run.warmup: auto");
    return this.moves.path;
  }

  /**
   * Lets the files go; when the run ends without results (`finish` did not come or did not complete), the parts
   * are removed with them: the results directory holds no hidden half-written files (a checkpoint keeps its own
   * copy of their bytes).
   */
  close(): void {
    for (const file of Object.values(this.files)) file.close();
    this.moves?.close();
    removeStreamingDir(this.outDir);
    process.off("exit", this.onExit);
  }

  /** How many intervals the stream has taken. */
  get taken(): number {
    return this.next;
  }

  private takeUpTo(aggregator: RunAggregator, endNs: number): void {
    const last = Math.ceil(endNs / this.scenario.run.metricsIntervalNs);
    const scope = this.ledgers.scope;
    while (this.next < last)
      this.takeOne(
        aggregator.intervals.get(this.next) ?? emptyInterval(this.next),
        intervalEndNs(scope, this.next, endNs),
      );
  }

  private takeOne(record: IntervalRecord, endNs: number): LedgerSnapshot {
    const snapshot = this.ledgers.close(record, endNs);
    // From the interval's start to where it closed: its boundary, or where a run cut short stopped.
    const startNs = record.index * this.scenario.run.metricsIntervalNs;
    this.files.timeseries.append(metricRows(record, startNs, endNs));
    // The link keys in order, and the species hops as the snapshot's columns (in key order): sorted once for all.
    const order = { linkKeys: sortedKeys(record.links), hops: storedSnapshot(snapshot).hops };
    this.linkRows.write(this.text, record, order.linkKeys, startNs, endNs);
    this.files.links.append(this.text.take());
    this.files.thermo.append(thermoRow(snapshot));
    writeIntervalLine(this.text, this.view, record, order, endNs);
    this.files.intervals.append(this.text.take());
    this.moves?.append(queueMovesLine(record));
    this.totals.take(record, snapshot);
    this.next = record.index + 1;
    return snapshot;
  }
}

/** The stream's part of a coordinator checkpoint. */
function checkedState(results: unknown): IntervalStreamState {
  const state = results as Partial<IntervalStreamState>;
  if (
    typeof state.next !== "number" ||
    !(state.ledgers instanceof Map) ||
    !(state.totals instanceof IntervalTotals) ||
    typeof state.files !== "object"
  )
    throw new Error("the checkpoint's results are not an interval stream's state");
  return state as IntervalStreamState;
}
