// Generates typed static protobuf code from proto/ into proto/gen/ (run on npm install and by `npm run proto`).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const protoRoot = "proto";
const outDir = join(protoRoot, "gen");

function listProtos(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path === outDir ? [] : listProtos(path);
    return name.endsWith(".proto") ? [path] : [];
  });
}

mkdirSync(outDir, { recursive: true });
const protos = listProtos(protoRoot).sort();
const js = join(outDir, "dctwin.js");
const bin = (name) => join("node_modules", ".bin", name);
execFileSync(
  bin("pbjs"),
  [
    "-t",
    "static-module",
    "-w",
    "es6",
    "--force-number",
    "--no-verify",
    "--no-delimited",
    "--no-convert",
    "--keep-case=false",
    "-o",
    js,
    ...protos,
  ],
  { stdio: "inherit" },
);
execFileSync(bin("pbts"), ["-o", join(outDir, "dctwin.d.ts"), js], { stdio: "inherit" });
