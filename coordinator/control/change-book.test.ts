import assert from "node:assert/strict";
import { test } from "node:test";
import { ChangeBook } from "./change-book.ts";

const plannedFault = {
  type: "fault-inject" as const,
  id: "f1",
  name: "planned",
  action: "link-down",
  source: "experiment",
  targets: ["l"],
  clearDueNs: 5e9,
  spec: {},
};

test("change book - live ids count faults and loads together; planned faults are pending until injected", () => {
  const b = new ChangeBook();
  b.addPlanned(plannedFault, 2e9);
  b.addPlanned(plannedFault, 3e9); // seen again (a replay): the first record stays
  const f = b.faults.get("f1")!;
  assert.deepEqual([f.state, f.plannedNs, f.durationNs], ["pending", 2e9, 3e9]);
  assert.equal(b.nextFaultId(), "live-1");
  assert.equal(b.nextLoadId(), "load-2");
  const live = b.addLiveFault("live-3", {
    name: "x",
    action: "actor-crash",
    targets: ["a"],
    spec: {},
    durationNs: null,
  });
  assert.equal(live.state, "pending");
  assert.equal(b.count("pending"), 2);
  b.injected("live-3", 1e9);
  b.injected("f1", 2e9);
  assert.equal(b.hasActiveLive(), true);
  assert.equal(b.cleared("live-3", 4e9), true);
  assert.equal(b.cleared("live-3", 4.5e9), false, "cleared once");
  assert.equal(b.hasActiveLive(), false);
  assert.deepEqual(b.changesIn(0, 2e9), { injected: 1, cleared: 0 });
  assert.deepEqual(b.changesIn(2e9, 5e9), { injected: 1, cleared: 1 });
  assert.deepEqual(
    b.list(false).map((r) => r.id),
    ["f1"],
  );
  assert.deepEqual(b.faultsNow(), {
    faults: [
      { id: "f1", action: "link-down", active: true },
      { id: "live-3", action: "actor-crash", active: false },
    ],
    injected: 2,
    cleared: 1,
  });
});

test("change book - loads step and notes keep their order per time", () => {
  const b = new ChangeBook();
  b.addLiveLoad("load-1", { name: "ramp", targets: ["c"], spec: {} });
  b.loadStarted("load-1", 1e9);
  b.loadStepped("load-1");
  b.loadStepped("load-1");
  b.note(1e9, { type: "load-step", id: "load-1" });
  b.note(1e9, { type: "fault-clear", id: "f" });
  const l = b.loads.get("load-1")!;
  assert.deepEqual([l.startedNs, l.stepsApplied, l.source], [1e9, 2, "live"]);
  assert.deepEqual(
    b
      .notesByTime()
      .get(1e9)
      ?.map((n) => n.type),
    ["load-step", "fault-clear"],
  );
});
