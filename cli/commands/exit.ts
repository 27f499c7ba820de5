/**
 * How the CLI's entries (cli/dctwin.ts, cli/host-main.ts) end on an error: bad input prints its message and exits
 * 2, with no stack trace; anything else prints its name and message (the stack too with DCTWIN_DEBUG) and exits 1.
 */
import { EXIT_FAILED, EXIT_INVALID } from "./flags.ts";

/** `invalid`: the error classes that mean bad input. */
export function exitOnError(error: unknown, invalid: readonly (abstract new (...args: never[]) => Error)[]): never {
  if (invalid.some((type) => error instanceof type)) {
    console.error(`error: ${(error as Error).message}`);
    process.exit(EXIT_INVALID);
  }
  console.error(
    `dctwin: ${error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error)}`,
  );
  if (process.env.DCTWIN_DEBUG) console.error(error);
  process.exit(EXIT_FAILED);
}
