import assert from "node:assert/strict";
import { test } from "node:test";
import { HostHello } from "./host-hello.ts";
import { InProcTransport } from "./transport/inproc.ts";

const turn = () => new Promise((resolve) => setImmediate(resolve));

test("host hello - said at start and again on the first heartbeat only (each hello brings a heartbeat)", async () => {
  const transport = new InProcTransport();
  let hellos = 0;
  transport.subscribe("hello", () => hellos++);
  const hello = new HostHello(transport, "hello", 3, 3_600_000);
  hello.start();
  await turn();
  assert.equal(hellos, 1);
  hello.heartbeat();
  hello.heartbeat();
  await turn();
  assert.equal(hellos, 2);
  hello.stop();
  const late = new HostHello(transport, "hello", 4, 3_600_000);
  late.start();
  late.stop();
  late.heartbeat();
  await turn();
  assert.equal(hellos, 3, "once the run started, a heartbeat is not answered");
});
