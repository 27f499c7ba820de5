import assert from "node:assert/strict";
import { test } from "node:test";
import { LocalHosts } from "./local-hosts.ts";

test("local hosts - stopping them lets go of the process's exit hook (a process may run many runs)", async () => {
  const before = process.listenerCount("exit");
  // The URL never comes: the host waits for it on its standard input, which stop() closes.
  const hosts = LocalHosts.start(new Promise<string>(() => {}), "run-exit-hook", 1);
  assert.equal(process.listenerCount("exit"), before + 1, "the hosts are killed if this process exits first");
  await hosts.stop();
  assert.equal(process.listenerCount("exit"), before);
  for (const pid of hosts.pids) assert.throws(() => process.kill(pid, 0), "the host process is gone");
});
