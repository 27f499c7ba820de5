import assert from "node:assert/strict";
import { test } from "node:test";
import { FollowUps } from "./follow-ups.ts";

test("follow-ups - released at the first boundary at or after they are due, in due order, ties as added", () => {
  const f = new FollowUps<string>();
  f.add(30, "c");
  f.add(10, "a1");
  f.add(10, "a2");
  f.add(50, "late");
  assert.deepEqual(f.takeDue(5), []);
  assert.deepEqual(f.takeDue(30), ["a1", "a2", "c"]);
  assert.deepEqual(f.takeDue(30), [], "taken once");
  assert.equal(f.size, 1);
  f.drop((x) => x === "late");
  assert.deepEqual(f.takeDue(100), []);
});
