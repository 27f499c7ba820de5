import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { IntervalLedger } from "./interval-ledger.ts";
import { LevelMeter } from "./level-meter.ts";
import { groupNames, levelId, mechanismId, metricId, NameTable } from "./names.ts";
import { encodeSnapshot } from "./snapshot-codec.ts";
import "./snapshot.ts"; // registers the runtime's snapshot classes

test("names - ids are dense, in the order first seen, and name their name", () => {
  const table = new NameTable();
  const names = Array.from({ length: 40 }, (_, i) => `name-${i}`); // beyond the scanned ones
  assert.deepEqual(
    names.map((n) => table.id(n)),
    names.map((_, i) => i),
  );
  assert.deepEqual(
    names.map((n) => table.id(`${n}`)),
    names.map((_, i) => i),
    "an equal string made anew has the same id",
  );
  assert.equal(table.name(17), "name-17");
  assert.throws(() => table.name(40), RangeError);
});

/**
 * A restore in another process, whose name tables give the ids of this process's names to other names: the
 * id-indexed caches must index again by name (NAMES_TOKEN), or the second process's observations land in the
 * first's slots of other names.
 */
test("names - metric slots, level meters and ledger mechanisms restored in another process keep names apart", () => {
  const ids = {
    metric: metricId("names-test-m2"),
    group: groupNames.id("names-test-g2"),
    level: levelId("names-test-l2"),
    mechanism: mechanismId("names-test-y"),
  };
  const ledger = new IntervalLedger();
  ledger.metrics.recordId(ids.metric, ids.group, 5);
  ledger.transitionId(0, ids.mechanism, 0, 1);
  const levels = new LevelMeter();
  levels.setId(ids.level, 3, 0);
  levels.setId(ids.level, 3, 1); // cached by id now
  const dir = mkdtempSync(join(tmpdir(), "names-test-"));
  try {
    const file = join(dir, "snapshot.bin");
    writeFileSync(file, encodeSnapshot({ ledger, levels }, new Map()));
    const here = import.meta.dirname;
    // The other process makes the names of this process's ids other names' (padding its tables up to them).
    const child = `
      import { readFileSync } from "node:fs";
      import { decodeSnapshot } from "${here}/snapshot-codec.ts";
      import "${here}/snapshot.ts";
      import { groupNames, levelNames, mechanismNames, metricNames } from "${here}/names.ts";
      import { transitionEntries } from "${here}/interval-columns.ts";
      const ids = ${JSON.stringify(ids)};
      const take = (table, id, name) => { while (table.names.length < id) table.id("pad-" + table.names.length); return table.id(name); };
      const m1 = take(metricNames, ids.metric, "names-test-m1");
      const g1 = take(groupNames, ids.group, "names-test-g1");
      const l1 = take(levelNames, ids.level, "names-test-l1");
      const x = take(mechanismNames, ids.mechanism, "names-test-x");
      if (m1 !== ids.metric || g1 !== ids.group || l1 !== ids.level || x !== ids.mechanism) throw new Error("ids differ");
      const { ledger, levels } = decodeSnapshot(readFileSync("${file}"), new Map());
      ledger.metrics.recordId(m1, g1, 7);
      ledger.transitionId(0, x, 0, 1);
      levels.setId(l1, 2, 10);
      const data = ledger.drain(0);
      console.log(JSON.stringify({
        metrics: data.metrics.map((m) => [m.name, m.group, m.count, m.sum]),
        transitions: transitionEntries(data.transitions).map((t) => [t.mechanism, t.count]),
        levels: levels.drain(20),
      }));
    `;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", child], { encoding: "utf8" });
    assert.deepEqual(JSON.parse(out), {
      metrics: [
        ["names-test-m1", "names-test-g1", 1, 7],
        ["names-test-m2", "names-test-g2", 1, 5],
      ],
      transitions: [
        ["names-test-x", 1],
        ["names-test-y", 1],
      ],
      levels: [
        ["names-test-l1", 2 * 10],
        ["names-test-l2", 3 * 20],
      ],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
