/**
 * Retrying a connection until a deadline, with exponential backoff: pods start in any order, so a host or
 * coordinator whose NATS server is not up yet waits for it instead of crash-looping.
 */

export interface RetryOptions {
  /** Give up after this long (ms) from the first attempt; the last error is thrown. */
  deadlineMs: number;
  /** First pause between attempts (ms), doubled after each failure up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Errors not worth retrying (e.g. refused credentials) are thrown at once. */
  retryable?: (error: unknown) => boolean;
  /** Hears of each failed attempt and the pause before the next. */
  onRetry?: (error: unknown, delayMs: number, attempt: number) => void;
  signal?: AbortSignal;
}

export async function retryUntilDeadline<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const giveUpAt = Date.now() + options.deadlineMs;
  let delayMs = options.initialDelayMs ?? 250;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const left = giveUpAt - Date.now();
      if (left <= 0 || options.signal?.aborted || !(options.retryable?.(error) ?? true)) throw error;
      const pause = Math.min(delayMs, left);
      options.onRetry?.(error, pause, n);
      await sleep(pause, options.signal);
      delayMs = Math.min(delayMs * 2, options.maxDelayMs ?? 5_000);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/**
 * Refused credentials and failed TLS checks (a server certificate we do not trust, a client certificate the server
 * refuses) do not get better by retrying; a server that is not up yet does.
 */
export function isRefusal(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /authori[sz]ation|authentication|permissions violation|certificate|altnames|ssl routines|tls alert/i.test(
    text,
  );
}
