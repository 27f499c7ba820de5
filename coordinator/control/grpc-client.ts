/** A typed client of the control API (what `dctwin inject|load|status|control` use). */
import * as grpc from "@grpc/grpc-js";
import {
  controlMethods,
  type DecodedResponseOf,
  type MethodInfo,
  type MethodName,
  type RequestPropsOf,
  type StreamMethod,
  type UnaryMethod,
} from "./service.ts";
import { clientCredentials, type ClientTlsFiles } from "./tls.ts";

export class ControlClient {
  private readonly client: grpc.Client;
  private readonly token: string | undefined;
  private readonly methods: Map<MethodName, MethodInfo>;

  /** `address` is host:port; `token` goes in the authorization metadata. */
  constructor(address: string, token?: string, tls?: ClientTlsFiles) {
    this.client = new grpc.Client(address, clientCredentials(tls));
    this.token = token;
    this.methods = new Map(controlMethods().map((m) => [m.name, m]));
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.token) md.set("authorization", `Bearer ${this.token}`);
    return md;
  }

  call<K extends UnaryMethod>(
    method: K,
    request: RequestPropsOf<K>,
    timeoutMs = 15_000,
  ): Promise<DecodedResponseOf<K>> {
    const m = this.methods.get(method)!;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        m.path,
        (value: unknown) => Buffer.from(m.request.encode(value as never).finish()),
        (bytes: Buffer) => m.response.decode(bytes),
        request,
        this.metadata(),
        { deadline: Date.now() + timeoutMs },
        (error, response) => (error ? reject(error) : resolve(response as DecodedResponseOf<K>)),
      );
    });
  }

  /** Server-streaming call: each message to `onMessage`; resolves when the stream ends. Returns a cancel too. */
  stream<K extends StreamMethod>(
    method: K,
    request: RequestPropsOf<K>,
    onMessage: (message: DecodedResponseOf<K>) => void,
  ): { done: Promise<void>; cancel: () => void } {
    const m = this.methods.get(method)!;
    const call = this.client.makeServerStreamRequest(
      m.path,
      (value: unknown) => Buffer.from(m.request.encode(value as never).finish()),
      (bytes: Buffer) => m.response.decode(bytes),
      request,
      this.metadata(),
    );
    const done = new Promise<void>((resolve, reject) => {
      call.on("data", (message: unknown) => onMessage(message as DecodedResponseOf<K>));
      call.on("error", (error: grpc.ServiceError) =>
        error.code === grpc.status.CANCELLED ? resolve() : reject(error),
      );
      call.on("end", () => resolve());
    });
    return { done, cancel: () => call.cancel() };
  }

  /** Waits until the server answers (or `timeoutMs` passes). */
  ready(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
    );
  }

  close(): void {
    this.client.close();
  }
}
