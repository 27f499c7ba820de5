/** Connecting to NATS the way processes in pods must: retrying with backoff until a deadline, logging why. */
import { NatsTransport } from "./nats.ts";
import { isAuthError, retryUntilDeadline } from "./retry.ts";

export interface NatsConnectOptions {
  /** Keep trying this long (ms) before giving up; 0 tries once. */
  deadlineMs: number;
  log?: (message: string) => void;
  signal?: AbortSignal;
}

export async function connectNatsWithRetry(url: string, natsOptions: Parameters<typeof NatsTransport.connect>[1], options: NatsConnectOptions): Promise<NatsTransport> {
  try {
    return await retryUntilDeadline(() => NatsTransport.connect(url, natsOptions), {
      deadlineMs: options.deadlineMs,
      retryable: (error) => !isAuthError(error),
      signal: options.signal,
      onRetry: (error, delayMs, attempt) => {
        if (attempt === 1 || attempt % 5 === 0) options.log?.(`NATS at ${url} not reachable yet (${error instanceof Error ? error.message : String(error)}); retrying for up to ${Math.round(options.deadlineMs / 1000)} s`);
      },
    });
  } catch (error) {
    throw new Error(`cannot connect to NATS at ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
