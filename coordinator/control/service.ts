/**
 * The Control service as grpc-js sees it, derived from proto/dctwin/v1/control.proto alone.
 *
 * Why this way: the repo already compiles every .proto into protobufjs static code (proto/gen, `npm run proto`),
 * whose service class carries each method's path, request and response type names and streaming flags both at
 * run time and as TypeScript literal types. So the grpc-js service definition is built by walking that class
 * (codecs are the generated encode/decode: no second runtime parser, int64 as numbers like the wire), and the
 * handler and client types are computed from the same literal types: a method added to the .proto makes `tsc`
 * demand its handler and its access level. @grpc/proto-loader is used only to give the reflection service the
 * file descriptors (and by clients that want nothing from this repo).
 */
import type * as grpc from "@grpc/grpc-js";
import { fileURLToPath } from "node:url";
import { dctwin } from "../../proto/gen/dctwin.js";
import "../../nodes/runtime/wire.ts"; // configures protobufjs to decode 64-bit integers as numbers

type Control = dctwin.v1.Control;
type V1 = typeof dctwin.v1;

export const SERVICE_NAME = "dctwin.v1.Control";
/** The .proto file, relative to PROTO_ROOT (its name in reflection's file descriptors). */
export const CONTROL_PROTO = "dctwin/v1/control.proto";
export const PROTO_ROOT = fileURLToPath(new URL("../../proto/", import.meta.url));

/** Methods of the service (camelCase, as the generated class names them). */
export type MethodName = {
  [K in keyof Control]: Control[K] extends { readonly path: string } ? K : never;
}[keyof Control];

interface Codec {
  encode(message: never): { finish(): Uint8Array };
  decode(reader: Uint8Array): unknown;
}
type MessageClass<N> = N extends keyof V1 ? (V1[N] extends Codec ? V1[N] : never) : never;

/** The decoded request a handler gets (a generated message instance: defaults filled in, oneof case readable). */
export type RequestOf<K extends MethodName> = ReturnType<MessageClass<Control[K]["requestType"]>["decode"]>;
/** What a handler answers (plain properties; unset fields take their defaults). */
export type ResponseOf<K extends MethodName> = Parameters<MessageClass<Control[K]["responseType"]>["encode"]>[0];
/** The decoded response a client gets. */
export type DecodedResponseOf<K extends MethodName> = ReturnType<MessageClass<Control[K]["responseType"]>["decode"]>;
/** Same for the request a client sends. */
export type RequestPropsOf<K extends MethodName> = Parameters<MessageClass<Control[K]["requestType"]>["encode"]>[0];
export type IsServerStream<K extends MethodName> = Control[K]["responseStream"] extends true ? true : false;

export type UnaryMethod = { [K in MethodName]: IsServerStream<K> extends true ? never : K }[MethodName];
export type StreamMethod = Exclude<MethodName, UnaryMethod>;

export interface MethodInfo {
  /** camelCase name, e.g. getStatus. */
  name: MethodName;
  /** As in the .proto, e.g. GetStatus. */
  protoName: string;
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  request: Codec;
  response: Codec;
}

/** Every method of the generated service class, in declaration order. */
export function controlMethods(): MethodInfo[] {
  const proto = dctwin.v1.Control.prototype as unknown as Record<string, unknown>;
  const v1 = dctwin.v1 as unknown as Record<string, Codec>;
  const methods: MethodInfo[] = [];
  for (const key of Object.getOwnPropertyNames(proto)) {
    const value = proto[key];
    if (typeof value !== "function") continue;
    const fn = value as unknown as {
      path?: string;
      name?: string;
      requestType?: string;
      responseType?: string;
      requestStream?: boolean;
      responseStream?: boolean;
    };
    if (typeof fn.path !== "string") continue;
    const request = v1[fn.requestType!];
    const response = v1[fn.responseType!];
    if (request === undefined || response === undefined)
      throw new Error(`${fn.path}: message types ${fn.requestType} / ${fn.responseType} are not generated`);
    methods.push({
      name: key as MethodName,
      protoName: fn.name!,
      path: fn.path,
      requestStream: fn.requestStream === true,
      responseStream: fn.responseStream === true,
      request,
      response,
    });
  }
  return methods;
}

/** The grpc-js service definition, with the generated codecs. */
export function serviceDefinition(): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const m of controlMethods()) {
    definition[m.protoName] = {
      path: m.path,
      requestStream: m.requestStream,
      responseStream: m.responseStream,
      originalName: m.name,
      requestSerialize: (value: unknown) => Buffer.from(m.request.encode(value as never).finish()),
      requestDeserialize: (bytes: Buffer) => m.request.decode(bytes),
      responseSerialize: (value: unknown) => Buffer.from(m.response.encode(value as never).finish()),
      responseDeserialize: (bytes: Buffer) => m.response.decode(bytes),
    };
  }
  return definition as grpc.ServiceDefinition;
}
