/**
 * TLS for the gRPC control API. Server: certificate and key, and optionally a CA whose client certificates it
 * requires (mutual TLS). Client: the CA that signed the server's certificate, and optionally its own certificate
 * and key. Files are PEM; without any, both sides speak plaintext (loopback, or a network the NetworkPolicy closes).
 */
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";

export interface ServerTlsFiles {
  cert: string;
  key: string;
  /** Require client certificates signed by this CA. */
  clientCa?: string;
}

export interface ClientTlsFiles {
  /** CA of the server's certificate (default: the system's trust store). */
  ca?: string;
  cert?: string;
  key?: string;
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(
      `${what}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

export function serverCredentials(tls: ServerTlsFiles | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  const clientCa = tls.clientCa === undefined ? null : read(tls.clientCa, "--control-tls-client-ca");
  return grpc.ServerCredentials.createSsl(
    clientCa,
    [{ cert_chain: read(tls.cert, "--control-tls-cert"), private_key: read(tls.key, "--control-tls-key") }],
    clientCa !== null,
  );
}

export function clientCredentials(tls: ClientTlsFiles | undefined): grpc.ChannelCredentials {
  if (tls === undefined || (tls.ca === undefined && tls.cert === undefined && tls.key === undefined))
    return grpc.credentials.createInsecure();
  if ((tls.cert === undefined) !== (tls.key === undefined))
    throw new Error("--control-cert and --control-key go together");
  return grpc.credentials.createSsl(
    tls.ca === undefined ? null : read(tls.ca, "--control-ca"),
    tls.key === undefined ? null : read(tls.key, "--control-key"),
    tls.cert === undefined ? null : read(tls.cert, "--control-cert"),
  );
}
