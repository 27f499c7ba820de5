/** What `dctwin_build_info` reports: the package version (package.json) and the Node.js version running. */
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };

export const BUILD = { version: pkg.version, nodejsVersion: process.versions.node } as const;
