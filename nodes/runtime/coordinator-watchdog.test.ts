import assert from "node:assert/strict";
import { test } from "node:test";
import { CoordinatorWatchdog } from "./coordinator-watchdog.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("coordinator watchdog - time the host's own event loop was blocked is not silence; real silence still fires", async () => {
  let silent = 0;
  const watchdog = new CoordinatorWatchdog(300, () => silent++);
  watchdog.heard();
  // The host builds a large shard: its loop is busy for over 3 timeouts, the heartbeats wait unread.
  const until = performance.now() + 1_000;
  while (performance.now() < until);
  await sleep(50);
  assert.equal(silent, 0, "a busy host does not take its coordinator for gone");
  watchdog.heard(); // the heartbeats read once the loop is free
  for (let waited = 0; silent === 0 && waited < 20_000; waited += 50) await sleep(50);
  assert.equal(silent, 1, "nothing heard for the timeout: the coordinator is gone, once");
  await sleep(400);
  assert.equal(silent, 1);
  watchdog.stop();
});
