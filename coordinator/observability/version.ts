/** dctwin's version, from package.json (one source for `dctwin --version` and run-info.json). */
import { readFileSync } from "node:fs";

export const DCTWIN_VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;
