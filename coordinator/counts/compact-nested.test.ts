import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeSnapshot, encodeSnapshot, registerSnapshotClasses } from "../../nodes/runtime/snapshot-codec.ts";
import { CompactNested } from "./compact-nested.ts";

/** Actors and names deliberately out of order: the compact form must keep the Map's insertion order. */
function sample(): Map<number, Map<string, number>> {
  return new Map([
    [
      7,
      new Map([
        ["nic", 0.25],
        ["cpu", 3],
      ]),
    ],
    [2, new Map([["bits_erased", 1e18 + 1]])],
    [40, new Map()],
    [
      0,
      new Map([
        ["cpu", -1.5],
        ["level:busy", 123456789012],
      ]),
    ],
  ]);
}

const asArrays = (m: ReadonlyMap<number, ReadonlyMap<string, number>>) =>
  [...m].map(([actor, inner]) => [actor, [...inner]] as const);

test("compact nested - same entries, values and iteration order as the Map", () => {
  const map = sample();
  const compact = CompactNested.of(map);
  assert.deepEqual(asArrays(compact), asArrays(map));
  assert.deepEqual([...compact.keys()], [...map.keys()]);
  assert.deepEqual(
    [...compact.values()].map((m) => [...m]),
    [...map.values()].map((m) => [...m]),
  );
  assert.equal(compact.size, 4);
  const seen: number[] = [];
  compact.forEach((_, actor) => seen.push(actor));
  assert.deepEqual(seen, [7, 2, 40, 0]);
});

test("compact nested - get and has find every actor and only those", () => {
  const map = sample();
  const compact = CompactNested.of(map);
  for (const [actor, inner] of map) {
    assert.ok(compact.has(actor));
    assert.deepEqual([...compact.get(actor)!], [...inner]);
  }
  for (const absent of [-1, 1, 3, 8, 39, 41, 1000]) {
    assert.equal(compact.has(absent), false);
    assert.equal(compact.get(absent), undefined);
  }
  assert.equal(CompactNested.of(new Map()).get(0), undefined);
});

test("compact nested - toMap gives back an equal mutable Map", () => {
  const back = CompactNested.of(sample()).toMap();
  assert.deepEqual(asArrays(back), asArrays(sample()));
  back.get(7)!.set("cpu", 4);
  assert.equal(back.get(7)!.get("cpu"), 4);
});

test("compact nested - survives a checkpoint encode and decode", () => {
  registerSnapshotClasses({ CompactNested });
  const compact = CompactNested.of(sample());
  const restored = decodeSnapshot<CompactNested>(encodeSnapshot(compact, new Map()), new Map());
  assert.ok(restored instanceof CompactNested);
  assert.deepEqual(asArrays(restored), asArrays(sample()));
  assert.deepEqual([...restored.get(0)!], [...sample().get(0)!]);
});

test("compact nested - an actor's values read in place like its Map", () => {
  const map = sample();
  const compact = CompactNested.of(map);
  for (const [actor, inner] of map) {
    const values = compact.get(actor)!;
    assert.equal(values.size, inner.size);
    assert.deepEqual([...values.keys()], [...inner.keys()]);
    assert.deepEqual([...values.values()], [...inner.values()]);
    for (const [name, value] of inner) {
      assert.ok(values.has(name));
      assert.equal(values.get(name), value);
    }
    assert.equal(values.get("absent"), undefined);
    assert.equal(values.has("absent"), false);
    const seen: [string, number][] = [];
    values.forEach((value, name) => seen.push([name, value]));
    assert.deepEqual(seen, [...inner]);
  }
});

test("compact nested - actors already in order (as hosts report them) are found too", () => {
  const map = new Map([...sample()].sort(([a], [b]) => a - b));
  const compact = CompactNested.of(map);
  for (const [actor, inner] of map) assert.deepEqual([...compact.get(actor)!], [...inner]);
  assert.equal(compact.get(3), undefined);
});

test("compact nested - report columns add up into the Map a record would have had, in first-added order", () => {
  const columns = new CompactNested();
  const expected = new Map<number, Map<string, number>>();
  const add = (actors: number[], names: string[], nameOf: number[], values: number[]) => {
    columns.add(actors, names, nameOf, values);
    actors.forEach((actor, i) => {
      let inner = expected.get(actor);
      if (inner === undefined) expected.set(actor, (inner = new Map()));
      const name = names[nameOf[i]!]!;
      inner.set(name, (inner.get(name) ?? 0) + values[i]!);
    });
  };
  add([3, 3, 5, 5, 5], ["b", "a"], [0, 1, 1, 0, 1], [1, 2, 3, 4, 0.5]); // one host: actor 5 names "a" twice
  add([9, 9, 1], ["a", "c"], [1, 0, 0], [-0, 6, 7]); // another host, its own name table
  assert.deepEqual(asArrays(columns), asArrays(expected));
  assert.ok(Object.is(columns.get(9)!.get("c"), 0), "a first value adds to 0, as a Map's (get ?? 0) + value");
  add([5, 2], ["b", "d"], [0, 1], [10, 1]); // actor 5 comes back after others: rebuilt in place, same order
  assert.deepEqual(asArrays(columns), asArrays(expected));
  columns.seal();
  add([1], ["a"], [0], [1]); // a later report for a sealed interval
  columns.seal();
  assert.deepEqual(asArrays(columns), asArrays(expected));
  for (const actor of [1, 2, 3, 5, 9]) assert.deepEqual([...columns.get(actor)!], [...expected.get(actor)!]);
});

test("compact nested - column reads visit groups by ascending actor, each in first-added name order", () => {
  const compact = CompactNested.of(sample());
  const read = [...compact.sortedGroups()].map((g) => {
    const names: [string, number][] = [];
    for (let e = compact.firstEntry(g); e < compact.endEntry(g); e++)
      names.push([compact.nameList()[compact.nameNumber(e)]!, compact.amount(e)]);
    return [compact.actorOf(g), names] as const;
  });
  assert.deepEqual(read, asArrays(new Map([...sample()].sort(([a], [b]) => a - b))));
  assert.equal(compact.numberOf("absent"), -1);
  assert.equal(compact.nameList()[compact.numberOf("cpu")], "cpu");
});

test("compact nested - a name number past the report's name table counts under no name, as before", () => {
  const columns = new CompactNested();
  columns.add([1, 1], ["a"], [0, 5], [2, 3]);
  assert.deepEqual(asArrays(columns), [
    [
      1,
      [
        ["a", 2],
        ["", 3],
      ],
    ],
  ]);
});
