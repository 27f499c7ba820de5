/**
 * The control layer's snapshot and restore, piece by piece, through the snapshot codec as a checkpoint stores it
 * (control-state.ts): a restored piece holds what the original held, and — what matters for a resumed run — goes
 * on exactly as the original does (ids, due order, fault folds, load factors, the commands it submits). And the
 * grants' replay of a lost attempt's live commands: the same stamps as the attempt that was not lost.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { stringify } from "yaml";
import { ChangeBook } from "../coordinator/control/change-book.ts";
import { decodeControlState, encodeControlState } from "../coordinator/control/control-state.ts";
import { RunController } from "../coordinator/control/controller.ts";
import { FollowUps } from "../coordinator/control/follow-ups.ts";
import { IntervalFeed } from "../coordinator/control/interval-feed.ts";
import { ActualState, FaultBook } from "../coordinator/control/twin-state.ts";
import type { CommandSpec, RunDriver } from "../coordinator/driver/run-driver.ts";
import { Grants } from "../coordinator/driver/grants.ts";
import { RunAggregator } from "../coordinator/counts/aggregate.ts";
import "../coordinator/driver/coordinator-state.ts"; // registers Grants with the snapshot codec
import { decodeSnapshot, encodeSnapshot } from "../nodes/runtime/snapshot-codec.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { emptySelector, type FaultRequest, type LoadRequest } from "../spec/requests.ts";
import { EXPERIMENT } from "./support/control-experiment.ts";
import { crossHostScenario } from "./support/scenarios.ts";

const { scenario, experiment } = loadScenarioText(
  stringify({ ...crossHostScenario("250ms"), experiment: EXPERIMENT }),
  "exp.yaml",
);
const plan = experiment!.plan;
const I = 250e6;

/** Through the codec and back, as a checkpoint does. */
function viaCodec<T>(value: T): T {
  return decodeSnapshot<T>(encodeSnapshot(value, new Map()), new Map());
}

const fault = (name: string, links: string[], durationNs: number | null): FaultRequest => ({
  name,
  selector: { ...emptySelector(), links },
  choice: { mode: "all", value: 0, seed: null },
  action: { type: "link-down" },
  durationNs,
});
const crash: FaultRequest = {
  name: "crash",
  selector: { ...emptySelector(), actors: ["server-b"] },
  choice: { mode: "all", value: 0, seed: null },
  action: { type: "actor-crash" },
  durationNs: 3 * I,
};
const ramp: LoadRequest = {
  name: "ramp",
  selector: { ...emptySelector(), actors: ["clients-b"] },
  change: { type: "ramp", target: { factor: 2 }, durationNs: 2 * I },
  stepNs: I / 2,
};

test("control state - change book: records, ids, changes and notes round trip; ids go on where they were", () => {
  const book = new ChangeBook();
  const id = book.nextFaultId();
  book.addLiveFault(id, { name: "x", action: "link-down", targets: ["l"], spec: { a: 1 }, durationNs: 5 });
  book.injected(id, 10);
  book.note(10, { type: "fault-clear", id });
  book.cleared(id, 20);
  book.addLiveLoad(book.nextLoadId(), { name: "y", targets: ["c"], spec: {} });
  book.loadStarted("load-2", 30);
  const copy = new ChangeBook();
  copy.restore(viaCodec(book.snapshot()));
  assert.deepEqual(copy.snapshot(), book.snapshot());
  assert.deepEqual(copy.changesIn(0, 100), { injected: 1, cleared: 1 });
  assert.equal(copy.nextFaultId(), book.nextFaultId(), "live-3 in both");
  copy.injected(id, 40); // the restored records are its own, not the original's
  assert.equal(book.faults.get(id)!.injectedNs, 10);
});

test("control state - follow-ups: pending items and their due order (ties by insertion) round trip", () => {
  const f = new FollowUps<string>();
  f.add(30, "c");
  f.add(10, "a");
  f.add(30, "d");
  const copy = new FollowUps<string>();
  copy.restore(viaCodec(f.snapshot()));
  f.add(30, "e");
  copy.add(30, "e");
  assert.deepEqual(copy.takeDue(30), f.takeDue(30));
  assert.equal(copy.size, 0);
});

test("control state - fault book and actual twin state: folds, link fields and actor statuses round trip", () => {
  const book = new FaultBook(scenario);
  book.add("a", { links: new Map([[0, { up: false }]]), actors: new Map([[2, "pause"]]), onInject: [], onClear: [] });
  book.add("b", { links: new Map([[1, { loss: 0.5 }]]), actors: new Map([[2, "crash"]]), onInject: [], onClear: [] });
  const actual = new ActualState(scenario);
  actual.apply({ link: { link: 1, loss: 0.5 } });
  actual.apply({ actor: { actor: 2, command: "crash", argsJson: "" } });
  const book2 = new FaultBook(scenario);
  book2.restore(viaCodec(book.snapshot()));
  const actual2 = new ActualState(scenario);
  actual2.restore(viaCodec(actual.snapshot()));
  for (const link of [0, 1]) assert.deepEqual(book2.wantedLink(link), book.wantedLink(link));
  assert.equal(book2.wantedActor(2), "down");
  book.remove("b");
  book2.remove("b");
  assert.equal(book2.wantedActor(2), "paused", "the older fault still wants the actor paused");
  assert.deepEqual(actual2.snapshot(), actual.snapshot());
  assert.equal(actual2.faultedLinks(), 1);
  assert.equal(actual2.faultedActors(), 1);
  assert.throws(() => new ActualState(scenario).restore({ links: [], actors: [] }), /another scenario/);
});

test("control state - interval feed: published intervals and fault counts round trip", () => {
  const feed = new IntervalFeed(scenario);
  feed.counts({ timeNs: 0.5 * I, activeFaults: 1, faultedActors: 0, faultedLinks: 1 });
  feed.publish(0, null, I, { injected: 1, cleared: 0 });
  const copy = new IntervalFeed(scenario);
  copy.restore(viaCodec(feed.snapshot()));
  for (const f of [feed, copy]) {
    f.counts({ timeNs: 1.5 * I, activeFaults: 0, faultedActors: 0, faultedLinks: 0 });
    f.publish(1, null, 2 * I, { injected: 0, cleared: 1 });
  }
  assert.deepEqual(copy.faultRows(), feed.faultRows());
  assert.equal(copy.published, 2);
  const heard: number[] = [];
  copy.watch(
    0,
    (m) => heard.push(Number(m.interval)),
    () => {},
  );
  assert.deepEqual(heard, [0, 1], "a watcher of the restored feed hears the history");
});

/** The driver as the controller sees it: it records what is submitted. */
function fakeDriver() {
  const submitted: CommandSpec[] = [];
  const driver = {
    submit: (c: CommandSpec) => submitted.push(c),
    pause: () => {},
    resume: () => {},
    progress: () => ({ simTimeNs: 0, windows: 0, paused: false, hostsJoined: 3, appliedCommands: 0, idle: true }),
  };
  return { driver: driver as unknown as RunDriver, submitted };
}

test("control state - controller: a restored controller (plan, records, effects, follow-ups, queue) goes on exactly as the original", () => {
  const original = new RunController({ scenario, plan, runId: "r", hostCount: 3 });
  const a = fakeDriver();
  original.attach(a.driver);
  original.injectFault(fault("early", ["clients-a--server-b"], 6 * I)); // clears at 1.5 s: a pending follow-up
  original.onBoundary(0);
  original.injectFault(crash);
  original.onBoundary(I);
  original.changeLoad(ramp); // ramp steps due after the checkpoint
  original.onBoundary(2 * I); // the planned cut at 0.5 s is mirrored here
  original.injectFault(fault("queued", ["clients-b--server-a"], null)); // submitted, not applied yet
  const bytes = encodeControlState({ plan, controller: original.snapshot(), probe: [] });

  const state = decodeControlState(bytes);
  // The checkpoint is at 3I (the run waits there; the change queued at 2I takes effect at 3I).
  const resumed = new RunController({ scenario, plan: state.plan, runId: "r", hostCount: 3 });
  resumed.restore(state.controller, 3 * I);
  assert.deepEqual(resumed.snapshot(), original.snapshot());
  const b = fakeDriver();
  resumed.attach(b.driver); // applies what is due at 3I, as the original does at its boundary there
  assert.throws(() => resumed.restore(state.controller, 3 * I), /before the run starts/);
  a.submitted.length = 0;
  original.onBoundary(3 * I);
  for (let k = 3; k <= 8; k++) {
    original.onBoundary(k * I);
    resumed.onBoundary(k * I);
  }
  assert.ok(a.submitted.length >= 6, `commands after the checkpoint: ${a.submitted.length}`);
  assert.deepEqual(b.submitted, a.submitted, "the same commands after the checkpoint");
  assert.deepEqual(resumed.snapshot(), original.snapshot());
  assert.deepEqual(resumed.status().load, original.status().load);
  assert.deepEqual(resumed.listFaults(true), original.listFaults(true));
  assert.deepEqual([...resumed.notesByTime()], [...original.notesByTime()]);
  assert.equal(resumed.injectFault(crash).id, original.injectFault(crash).id, "live ids go on alike");
});

test("control state - a lost attempt's live commands are replayed by restored grants at their times, in their order", () => {
  const schedule = [
    { timeNs: 2 * I, command: { link: { link: 0, up: false } } },
    { timeNs: 3 * I, command: { link: { link: 0, up: true } } },
  ];
  const inputs = (reachedNs: number) => ({ reachedNs, reportedStartNs: -1, aggregator: new RunAggregator(I) });
  const live = (n: number): CommandSpec => ({ actor: { actor: 0, command: "scale_load", argsJson: String(n) } });
  const lost = new Grants(scenario, schedule, []);
  lost.submit(live(1));
  lost.next({ ...inputs(0), capNs: 2 * I });
  lost.submit(live(2)); // submitted for 2I before the checkpoint there: pending in it
  const checkpoint = encodeSnapshot(lost, new Map());
  const stampsOf = (grant: ReturnType<Grants["next"]>) => grant?.stamps ?? [];
  const stamps = [stampsOf(lost.next({ ...inputs(2 * I), capNs: 3 * I }))];
  lost.submit(live(3)); // at 3I, with the scheduled command there
  stamps.push(stampsOf(lost.next({ ...inputs(3 * I), capNs: 4 * I })));
  lost.submit(live(4)); // held at 4I: not applied when the attempt is lost
  const log = lost.liveLog();
  assert.deepEqual(
    log.map((c) => [c.timeNs / I, c.command.actor!.argsJson]),
    [
      [0, "1"],
      [2, "2"],
      [3, "3"],
      [4, "4"],
    ],
  );

  const restored = decodeSnapshot<Grants>(checkpoint, new Map());
  restored.replay(log); // live(2), pending in the checkpoint, is in the log too: applied once
  // The recovered run's horizons fall elsewhere (one grant to 4I): the commands land at the same times.
  const withCommands = (list: typeof stamps) => list.flat().filter((s) => (s.commands?.length ?? 0) > 0);
  const replayed = stampsOf(restored.next({ ...inputs(2 * I), capNs: 4 * I }));
  assert.deepEqual(withCommands([replayed]), withCommands(stamps));
  assert.equal(withCommands([replayed]).length, 2);
  assert.deepEqual(restored.applied, lost.applied);
  assert.deepEqual(restored.liveLog(), log, "what is still to replay stays in the log (a second loss)");
  const last = stampsOf(restored.next({ ...inputs(4 * I), capNs: 5 * I }));
  assert.deepEqual(
    last[0]!.commands?.map((c) => c.actor?.argsJson),
    ["4"],
  );
  assert.equal(last[0]!.timeNs, 4 * I);
});
