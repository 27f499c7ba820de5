/** Connecting to NATS the way processes in pods must: retrying with backoff until a deadline, logging why. */
import { natsConnectionOptions, type NatsAuth } from "./nats-auth.ts";
import { NatsConnectError, NatsTransport } from "./nats.ts";
import { isRefusal, retryUntilDeadline } from "./retry.ts";

export interface NatsConnectOptions {
  /** Keep trying this long (ms) before giving up; 0 tries once. */
  deadlineMs: number;
  /** Credentials and TLS; unusable ones (a missing file) fail at once with NatsAuthError, refused ones unretried. */
  auth?: NatsAuth;
  log?: (message: string) => void;
  /** Told when an attempt failed and another will follow: the server is not up yet. */
  onRetry?: () => void;
  signal?: AbortSignal;
}

export async function connectNatsWithRetry(
  url: string,
  natsOptions: Parameters<typeof NatsTransport.connect>[1],
  options: NatsConnectOptions,
): Promise<NatsTransport> {
  const connection = { ...natsConnectionOptions(options.auth ?? {}), ...natsOptions }; // files read once, before any attempt
  try {
    return await retryUntilDeadline(() => NatsTransport.connect(url, connection), {
      deadlineMs: options.deadlineMs,
      retryable: (error) => !isRefusal(error),
      signal: options.signal,
      onRetry: (error, _delayMs, attempt) => {
        options.onRetry?.();
        if (attempt === 1 || attempt % 5 === 0)
          options.log?.(
            `NATS at ${url} not reachable yet (${error instanceof Error ? error.message : String(error)}); retrying for up to ${Math.round(options.deadlineMs / 1000)} s`,
          );
      },
    });
  } catch (error) {
    if (error instanceof NatsConnectError) throw error; // already names the server and the reason
    throw new NatsConnectError(
      `cannot connect to NATS at ${url}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Retry interval while reconnecting after a lost connection. */
const RECONNECT_WAIT_MS = 250;

/**
 * Connection options for reconnecting within `deadlineMs` after the connection to NATS is lost (a broker restart),
 * after which the connection closes for good (a host then exits; the coordinator's run fails or recovers).
 */
export function reconnectWithin(deadlineMs: number): { reconnectTimeWait: number; maxReconnectAttempts: number } {
  return {
    reconnectTimeWait: RECONNECT_WAIT_MS,
    maxReconnectAttempts: Math.max(1, Math.ceil(deadlineMs / RECONNECT_WAIT_MS)),
  };
}
