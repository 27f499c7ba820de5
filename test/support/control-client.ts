/**
 * A client of the control API built from proto/dctwin/v1/control.proto alone, with @grpc/proto-loader (snake_case
 * fields, enums as names, 64-bit integers as numbers), as a third party would build it: it imports no project code.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

export type Any = Record<string, any>;

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };
const controlPkg = grpc.loadPackageDefinition(loadSync(join(ROOT, "proto/dctwin/v1/control.proto"), options)) as Any;

export function protoOnlyClient(address: string, token: string) {
  const control = new controlPkg.dctwin.v1.Control(address, grpc.credentials.createInsecure()) as grpc.Client & Any;
  const metadata = (t: string | null) => {
    const md = new grpc.Metadata();
    if (t !== null) md.set("authorization", `Bearer ${t}`);
    return md;
  };
  const call = (method: string, request: Any, t: string | null = token): Promise<Any> =>
    new Promise((resolve, reject) =>
      control[method](request, metadata(t), { deadline: Date.now() + 10_000 }, (e: grpc.ServiceError | null, r: Any) =>
        e ? reject(e) : resolve(r),
      ),
    );
  /** Expects the call to fail with `code` (and, for field errors, to name `field` in the message and trailer). */
  const refused = async (method: string, request: Any, code: grpc.status, field?: string, t: string | null = token) => {
    const error = await call(method, request, t).then(
      () => assert.fail(`${method} ${JSON.stringify(request)} should fail with ${grpc.status[code]}`),
      (e: grpc.ServiceError) => e,
    );
    assert.equal(error.code, code, `${method} ${JSON.stringify(request)}: ${error.code} ${error.details}`);
    if (field !== undefined) {
      assert.ok(error.details.startsWith(`${field}: `), `details name the field ${field}: ${error.details}`);
      assert.equal(error.metadata.get("dctwin-field")[0], field);
    }
    return error;
  };
  /** WatchMetrics from interval 0: every message lands in `intervals`; `ended` settles when the stream does. */
  const watch = () => {
    const intervals: Any[] = [];
    const stream = control.WatchMetrics({ from_interval: 0 }, metadata(token));
    stream.on("data", (m: Any) => intervals.push(m));
    const ended = new Promise<void>((resolve, reject) => {
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    ended.catch(() => {}); // awaited by the caller; never an unhandled rejection if a test stops early
    return { intervals, ended };
  };
  return { control, call, refused, watch, close: () => control.close() };
}

export async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
