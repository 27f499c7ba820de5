/**
 * The file local host processes start from: cli/host-main.ts bundled into one module by esbuild, kept in
 * node_modules/.cache/dctwin-host and built again when any file it was built from changed.
 *
 * Why a bundle: a host loads about 310 modules (zod's 95 among them: the models define their parameter schemas at
 * module load), and resolving, reading and linking them one by one was about half of the time until a host says
 * hello — most of a short NATS run's set-up. One module skips all of that; what the modules do when they load
 * stays the same, in the same order. The bundle is only a faster way to start the same sources: it is checked
 * against them (size and modification time of every input esbuild reports) before each use, and when it cannot
 * be built or written (no esbuild for this platform, a read-only install) hosts start from the sources as before.
 * With DCTWIN_DEBUG set they always do, so stack traces point at the sources.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type * as EsbuildApi from "esbuild";

/** The package's root: inputs are recorded relative to it. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** `dctwin host` alone: what is bundled, and what hosts start from without a bundle. */
export const HOST_SOURCE_ENTRY = join(ROOT, "cli/host-main.ts");
/**
 * Inside the package, so that the bundle's `createRequire(import.meta.url)` (nodes/runtime/sampling.ts loads a
 * CommonJS package that way) finds node_modules as the sources do.
 */
const DEFAULT_CACHE_DIR = join(ROOT, "node_modules/.cache/dctwin-host");
const MANIFEST = "manifest.json";
/** The entry module in a build's folder (the other files are chunks it imports). */
const ENTRY_FILE = "host-main.mjs";
/** Changes when the build options below change, so that older bundles are not taken for current ones. */
const FORMAT = 1;
/** Builds another build replaced are removed once unused this long (a host may still be starting from one). */
const STALE_BUNDLE_MS = 10 * 60_000;

interface Manifest {
  format: number;
  esbuild: string;
  /** The build's folder in the cache directory. */
  bundle: string;
  /** [path relative to ROOT, size, mtimeMs] of every file the bundle was built from. */
  inputs: [string, number, number][];
}

interface Esbuild {
  version: string;
  buildSync: typeof EsbuildApi.buildSync;
}

export interface HostEntryOptions {
  /** Where bundles and their manifest are kept (tests use a folder of their own). */
  cacheDir?: string;
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** The file to start local hosts from: an up-to-date bundle (built now if needed), else the sources' entry. */
export function hostEntryFile(options: HostEntryOptions = {}): string {
  const env = options.env ?? process.env;
  if (env.DCTWIN_DEBUG) return HOST_SOURCE_ENTRY;
  const dir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  try {
    const esbuild = createRequire(import.meta.url)("esbuild") as Esbuild;
    return currentBundle(dir, esbuild.version) ?? buildBundle(dir, esbuild, options.log);
  } catch (error) {
    options.log?.(`host processes start from the sources (no bundle: ${(error as Error).message.split("\n")[0]})`);
    return HOST_SOURCE_ENTRY;
  }
}

/** The bundle the manifest names, if every input is as it was when the bundle was built; else null. */
function currentBundle(dir: string, esbuildVersion: string): string | null {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as Manifest;
  } catch {
    return null;
  }
  if (manifest.format !== FORMAT || manifest.esbuild !== esbuildVersion) return null;
  for (const [path, size, mtimeMs] of manifest.inputs) {
    const stat = statSync(join(ROOT, path), { throwIfNoEntry: false });
    if (stat === undefined || stat.size !== size || stat.mtimeMs !== mtimeMs) return null;
  }
  const entry = join(dir, manifest.bundle, ENTRY_FILE);
  if (statSync(entry, { throwIfNoEntry: false }) === undefined) return null;
  const now = new Date();
  utimesSync(join(dir, manifest.bundle), now, now); // in use: not removed by a build from changed sources
  return entry;
}

function buildBundle(dir: string, esbuild: Esbuild, log?: (message: string) => void): string {
  const started = Date.now();
  const staging = join(dir, `staging-${process.pid}`);
  const result = esbuild.buildSync({
    entryPoints: [HOST_SOURCE_ENTRY],
    absWorkingDir: ROOT,
    bundle: true,
    // What the sources import with `await import()` (the runtime and models, loaded while NATS connects; the
    // metrics endpoint, only with --metrics-port) stays a module of its own, loaded when it was.
    splitting: true,
    platform: "node",
    format: "esm",
    // This Node: the sources run untranslated, as Node runs them (types stripped, nothing else changed).
    target: `node${process.versions.node}`,
    // Bundled CommonJS packages (protobufjs, commander) call require() for Node's built-ins.
    banner: {
      js: 'import { createRequire as __dctwinRequire } from "node:module";\nconst require = __dctwinRequire(import.meta.url);',
    },
    outdir: staging,
    entryNames: "[name]",
    outExtension: { ".js": ".mjs" }, // node_modules has no package.json saying "type": "module"
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const hash = createHash("sha256");
  for (const file of result.outputFiles) hash.update(relative(staging, file.path)).update(file.contents);
  const name = `build-${hash.digest("hex").slice(0, 16)}`;
  const inputs: Manifest["inputs"] = Object.keys(result.metafile.inputs).map((path) => {
    const stat = statSync(resolve(ROOT, path));
    return [path, stat.size, stat.mtimeMs];
  });
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  for (const file of result.outputFiles) writeFileSync(file.path, file.contents, { mode: 0o600 });
  try {
    renameSync(staging, join(dir, name));
  } catch (error) {
    // Another run built the same files meanwhile: its copy is as good as this one.
    if (statSync(join(dir, name), { throwIfNoEntry: false }) === undefined) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
  // A source changed while the bundle was being built: use this bundle once, but do not record it as current.
  if (inputs.every(([, , mtimeMs]) => mtimeMs < started)) {
    const manifest: Manifest = { format: FORMAT, esbuild: esbuild.version, bundle: name, inputs };
    const temp = join(dir, `${MANIFEST}.${process.pid}`);
    writeFileSync(temp, JSON.stringify(manifest), { mode: 0o600 });
    renameSync(temp, join(dir, MANIFEST)); // runs read the old manifest or the new one, never half of one
  }
  removeOldBundles(dir, name);
  log?.(`bundled the host entry from ${inputs.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return join(dir, name, ENTRY_FILE);
}

/** Builds another build replaced, once unused for a while (a host may still be starting from one). */
function removeOldBundles(dir: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    if (name === keep || !/^(build-[0-9a-f]+|staging-\d+)$/.test(name)) continue; // staging: a build that died
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat !== undefined && Date.now() - stat.mtimeMs > STALE_BUNDLE_MS)
      rmSync(path, { recursive: true, force: true });
  }
}
