import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeSnapshot, encodeSnapshot, registerSnapshotClasses, SnapshotError } from "./snapshot-codec.ts";

class Meter {
  joules = new Map<string, number>([["cpu", 1.5]]);
  total(): number {
    return [...this.joules.values()].reduce((a, b) => a + b, 0);
  }
}
class Unregistered {
  x = 1;
}
registerSnapshotClasses({ Meter });

test("snapshot codec - classes, shared objects, cycles, typed arrays and special numbers survive", () => {
  const shared = {
    n: -0,
    inf: Number.POSITIVE_INFINITY,
    nan: Number.NaN,
    big: 2 ** 53 - 1,
    none: undefined as unknown,
  };
  const meter = new Meter();
  const root: Record<string, unknown> = {
    a: shared,
    b: [shared, meter],
    times: new Float64Array([1.5, -2]),
    ids: new Int32Array([7]),
    set: new Set(["x"]),
    model: { kind: "external" },
  };
  root.self = root;
  const externalModel = root.model as object;
  const bytes = encodeSnapshot(root, new Map([[externalModel, "model:x"]]));
  const replacement = { kind: "the restoring run's model" };
  const back = decodeSnapshot<typeof root>(bytes, new Map([["model:x", replacement]]));
  assert.equal(back.self, back, "a cycle stays a cycle");
  const [s, m] = back.b as [typeof shared, Meter];
  assert.equal(s, back.a, "a shared object stays shared");
  assert.ok(
    Object.is(s.n, -0) &&
      s.inf === Number.POSITIVE_INFINITY &&
      Number.isNaN(s.nan) &&
      s.big === 2 ** 53 - 1 &&
      "none" in s,
  );
  assert.ok(m instanceof Meter && m.total() === 1.5, "a registered class gets its prototype back");
  assert.deepEqual([...(back.times as Float64Array)], [1.5, -2]);
  assert.ok(back.ids instanceof Int32Array);
  assert.deepEqual([...(back.set as Set<string>)], ["x"]);
  assert.equal(back.model, replacement, "externals are the restoring side's objects");
});

test("snapshot codec - state that is not plain data is refused with its path", () => {
  assert.throws(
    () => encodeSnapshot({ actors: [{ state: { onTick: () => 1 } }] }, new Map()),
    (e: Error) => e instanceof SnapshotError && e.message.includes("$.actors[0].state.onTick"),
  );
  assert.throws(
    () => encodeSnapshot({ state: new Unregistered() }, new Map()),
    (e: Error) => e instanceof SnapshotError && /unregistered class Unregistered at \$\.state/.test(e.message),
  );
  const model = { kind: "model" };
  const withExternal = encodeSnapshot({ m: model }, new Map([[model, "model:gone"]]));
  assert.throws(
    () => decodeSnapshot(withExternal, new Map()),
    /refers to model:gone/,
    "a restoring run without that external",
  );
});
