/** What `dctwin_build_info` reports: the package version (coordinator/observability/version.ts) and the Node.js version running. */
import { DCTWIN_VERSION } from "../version.ts";

export const BUILD = { version: DCTWIN_VERSION, nodejsVersion: process.versions.node } as const;
