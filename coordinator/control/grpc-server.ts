/**
 * The coordinator's gRPC control server: dctwin.v1.Control (handlers typed from the .proto, see service.ts),
 * grpc.health.v1.Health (standard health checking) and server reflection (v1 and v1alpha, for grpcurl and
 * friends). Calls that change the run need `authorization: Bearer <token>`; reads too unless anonymous reads
 * are allowed; health and reflection are open (they reveal no run data).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import type { RunController } from "./controller.ts";
import {
  faultFromProto,
  faultToProto,
  faultProtoPaths,
  loadFromProto,
  loadProtoPaths,
  loadToProto,
  statusToProto,
} from "./proto-convert.ts";
import {
  CONTROL_PROTO,
  controlMethods,
  PROTO_ROOT,
  SERVICE_NAME,
  serviceDefinition,
  type IsServerStream,
  type MethodName,
  type RequestOf,
  type ResponseOf,
} from "./service.ts";
import { PreconditionError, RequestError } from "../../spec/requests.ts";
import { serverCredentials, type ServerTlsFiles } from "./tls.ts";

export interface CallContext {
  peer: string;
}

export interface StreamOut<T> {
  write(message: T): void;
  end(): void;
  onCancel(listener: () => void): void;
}

type Unary<K extends MethodName> = (request: RequestOf<K>, ctx: CallContext) => ResponseOf<K> | Promise<ResponseOf<K>>;
type ServerStream<K extends MethodName> = (
  request: RequestOf<K>,
  out: StreamOut<ResponseOf<K>>,
  ctx: CallContext,
) => void;

/** One handler per method of the .proto's service; `tsc` fails when the .proto gains a method without one. */
export type ControlHandlers = { [K in MethodName]: IsServerStream<K> extends true ? ServerStream<K> : Unary<K> };

/** Which calls change the run (always need the token) and which only read it. */
export const ACCESS: Readonly<Record<MethodName, "read" | "write">> = {
  getStatus: "read",
  startRun: "write",
  pauseRun: "write",
  resumeRun: "write",
  stopRun: "write",
  injectFault: "write",
  clearFault: "write",
  listFaults: "read",
  changeLoad: "write",
  listLoadChanges: "read",
  watchMetrics: "read",
};

export function controlHandlers(controller: RunController, log: (message: string) => void = () => {}): ControlHandlers {
  const status = () => statusToProto(controller.status());
  return {
    getStatus: () => status(),
    startRun: () => {
      controller.start();
      log("control: run started");
      return status();
    },
    pauseRun: async () => {
      await controller.pause();
      log(`control: paused at t = ${controller.status().simTimeNs / 1e9} s`);
      return status();
    },
    resumeRun: () => {
      controller.resume();
      log("control: resumed");
      return status();
    },
    stopRun: (request) => {
      controller.stop(request.reason);
      return status();
    },
    injectFault: (request) => {
      const spec = faultFromProto(request.fault);
      let record;
      try {
        record = controller.injectFault(spec);
      } catch (error) {
        throw faultProtoPaths(error, spec.action);
      }
      log(`control: fault ${record.id} (${record.action}) on ${record.targets.join(", ")} accepted`);
      return faultToProto(record);
    },
    clearFault: (request) => {
      if (!request.id) throw new RequestError([{ path: "id", message: "required" }]);
      return faultToProto(controller.clearFault(request.id));
    },
    listFaults: (request) => ({ faults: controller.listFaults(request.includeCleared).map(faultToProto) }),
    changeLoad: (request) => {
      const spec = loadFromProto(request.change);
      let record;
      try {
        record = controller.changeLoad(spec);
      } catch (error) {
        throw loadProtoPaths(error);
      }
      log(`control: load change ${record.id} on ${record.targets.join(", ")} accepted`);
      return loadToProto(record);
    },
    listLoadChanges: () => ({ changes: [...controller.loads.values()].map(loadToProto) }),
    watchMetrics: (request, out) => {
      const unsubscribe = controller.watch(
        Number(request.fromInterval),
        (m) => out.write(m),
        () => out.end(),
      );
      out.onCancel(unsubscribe);
    },
  };
}

export interface ControlServerOptions {
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  token: string;
  /** Reads (status, faults, metrics) without a token. */
  anonymousRead?: boolean;
  log?: (message: string) => void;
  /** Serve over TLS (optionally requiring client certificates); plaintext without. */
  tls?: ServerTlsFiles;
}

export interface ControlServer {
  /** host:port actually bound. */
  readonly address: string;
  readonly port: number;
  /** Marks the service not serving, lets open calls finish (up to 2 s), stops. */
  close(): Promise<void>;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** A grpc status error; INVALID_ARGUMENT carries the field path in the `dctwin-field` trailer. */
export function toServiceError(error: unknown): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (error instanceof RequestError) {
    metadata.set("dctwin-field", error.field);
    return {
      code: error.notFound ? grpc.status.NOT_FOUND : grpc.status.INVALID_ARGUMENT,
      details: error.message,
      metadata,
    };
  }
  if (error instanceof PreconditionError)
    return { code: grpc.status.FAILED_PRECONDITION, details: error.message, metadata };
  return { code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error), metadata };
}

export async function startControlServer(
  controller: RunController,
  options: ControlServerOptions,
): Promise<ControlServer> {
  const log = options.log ?? (() => {});
  const handlers = controlHandlers(controller, log) as unknown as Record<string, (...args: unknown[]) => unknown>;
  const expected = digest(options.token);
  const authError = (metadata: grpc.Metadata, access: "read" | "write"): Partial<grpc.StatusObject> | null => {
    if (access === "read" && options.anonymousRead) return null;
    const value = metadata.get("authorization")[0];
    if (value === undefined)
      return {
        code: grpc.status.UNAUTHENTICATED,
        details: `${access === "write" ? "this call changes the run and" : "reads"} need(s) the metadata "authorization: Bearer <token>"`,
      };
    const m = /^Bearer\s+(.+)$/i.exec(String(value));
    if (m === null || !timingSafeEqual(digest(m[1]!.trim()), expected))
      return { code: grpc.status.UNAUTHENTICATED, details: "invalid bearer token" };
    return null;
  };

  const impl: grpc.UntypedServiceImplementation = {};
  for (const method of controlMethods()) {
    const handler = handlers[method.name]!;
    const access = ACCESS[method.name];
    if (method.responseStream) {
      impl[method.protoName] = (call: grpc.ServerWritableStream<unknown, unknown>) => {
        const denied = authError(call.metadata, access);
        if (denied !== null) return void call.emit("error", denied);
        const out: StreamOut<unknown> = {
          write: (m) => call.write(m),
          end: () => call.end(),
          onCancel: (listener) => {
            call.on("cancelled", listener);
            call.on("close", listener);
          },
        };
        try {
          handler(call.request, out, { peer: call.getPeer() });
        } catch (error) {
          call.emit("error", toServiceError(error));
        }
      };
    } else {
      impl[method.protoName] = (
        call: grpc.ServerUnaryCall<unknown, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        const denied = authError(call.metadata, access);
        if (denied !== null) return callback(denied);
        Promise.resolve()
          .then(() => handler(call.request, { peer: call.getPeer() }))
          .then(
            (response) => callback(null, response),
            (error: unknown) => callback(toServiceError(error)),
          );
      };
    }
  }

  const server = new grpc.Server();
  server.addService(serviceDefinition(), impl);
  const health = new HealthImplementation({ "": "SERVING", [SERVICE_NAME]: "SERVING" });
  health.addToServer(server);
  const descriptors = loadSync([CONTROL_PROTO, healthProtoPath], { includeDirs: [PROTO_ROOT] });
  new ReflectionService(descriptors).addToServer(server);

  const host = options.host ?? "127.0.0.1";
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${host.includes(":") ? `[${host}]` : host}:${options.port}`,
      serverCredentials(options.tls),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  let closed = false;
  return {
    address: `${host}:${port}`,
    port,
    async close() {
      if (closed) return;
      closed = true;
      health.setStatus("", "NOT_SERVING");
      health.setStatus(SERVICE_NAME, "NOT_SERVING");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
