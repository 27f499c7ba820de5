/**
 * Results uploaded to an S3-compatible bucket: `dctwin run --upload-results-to s3://BUCKET/PREFIX` puts every
 * results file at PREFIX/<run id>/<file>, byte for byte, against a real S3 server on 127.0.0.1 (s3rver: the S3 REST
 * API over HTTP with SigV4 signatures checked, objects on disk), configured the way a pod is (DCTWIN_* and AWS_*
 * variables). A wrong secret is refused by the server and fails the command with the results still local; an
 * interrupted run is uploaded too; a malformed bucket URL is an input error before anything runs.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { GetObjectCommand, NoSuchKey, S3Client } from "@aws-sdk/client-s3";
import S3rver from "@20minutes/s3rver";
import { runCli, watchCli } from "./support/cli.ts";
import { waitFor } from "./support/processes.ts";
import { queueScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-upload-");
const BUCKET = "twin-results";
// s3rver's built-in account; the server verifies each request's signature against this secret.
const KEY_ID = "S3RVER";
const SECRET = "S3RVER";
let server: S3rver | undefined;
let endpoint = "";
let client: S3Client;

before(async () => {
  const s3 = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: join(dir.path, "s3-store"),
    configureBuckets: [{ name: BUCKET }],
  });
  const address = await s3.run();
  server = s3;
  endpoint = `http://127.0.0.1:${address.port}`;
  client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
  });
});

after(async () => {
  client?.destroy();
  await server?.close();
  dir.remove();
});

function podEnv(secret = SECRET): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: secret,
    DCTWIN_S3_ENDPOINT: endpoint,
    DCTWIN_S3_PATH_STYLE: "1",
  };
}

/** The object's bytes, or undefined when the bucket has no such key. */
async function object(key: string): Promise<Buffer | undefined> {
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await got.Body!.transformToByteArray());
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}

function localFiles(outDir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      files.set(relative(outDir, join(entry.parentPath, entry.name)), readFileSync(join(entry.parentPath, entry.name)));
  }
  return files;
}

/** Runs examples/tiny.yaml for 2 s in process as run `runId`, uploading its results to `url`, configured by `env`. */
function runTinyUploading(runId: string, out: string, url: string, env: NodeJS.ProcessEnv) {
  return runCli(
    [
      "run",
      "examples/tiny.yaml",
      "--duration",
      "2s",
      "--transport",
      "inproc",
      "--run-id",
      runId,
      "--out",
      out,
      "--upload-results-to",
      url,
    ],
    { env },
  );
}

test("upload - every results file lands at PREFIX/<run id>/FILE in the bucket, byte for byte", async () => {
  const out = join(dir.path, "completed");
  const result = await runTinyUploading("up-1", out, `s3://${BUCKET}/twins/lab`, podEnv());
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, new RegExp(`results uploaded to s3://${BUCKET}/twins/lab/up-1/`));
  const local = localFiles(out);
  assert.ok(local.has("summary.json") && local.has("run-info.json") && local.size >= 4, [...local.keys()].join(", "));
  for (const [file, bytes] of local)
    assert.ok((await object(`twins/lab/up-1/${file}`))?.equals(bytes), `${file} is uploaded unchanged`);
});

test("upload - the server refuses a wrong secret: exit 1 with the server's reason, results still written locally", async () => {
  const out = join(dir.path, "refused");
  const result = await runTinyUploading("up-refused", out, `s3://${BUCKET}`, podEnv("not-the-secret"));
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /uploading the results to s3:\/\/twin-results\/up-refused\/ failed: SignatureDoesNotMatch/,
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /);
  assert.equal(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).status, "completed");
  assert.equal(await object("up-refused/summary.json"), undefined);
});

test("upload - an interrupted run (SIGTERM) is uploaded too, with its partial results", async () => {
  const long = writeScenario(
    dir.path,
    "long",
    queueScenario({ rate: 200, meanServiceMs: 1, cores: 1, durationS: 600, warmupS: 0 }),
  );
  const out = join(dir.path, "interrupted");
  const {
    child,
    result: done,
    stderr,
  } = watchCli(
    [
      "run",
      long,
      "--transport",
      "inproc",
      "--speed",
      "1",
      "--run-id",
      "up-term",
      "--out",
      out,
      "--upload-results-to",
      `s3://${BUCKET}/p`,
    ],
    { env: podEnv(), timeoutMs: 120_000 },
  );
  try {
    await waitFor(() => /host\(s\) joined/.test(stderr()), 30_000, "the run to start");
    await new Promise((r) => setTimeout(r, 1000));
    child.kill("SIGTERM");
    const result = await done;
    assert.equal(result.code, 143, result.stderr);
    const summary = readFileSync(join(out, "summary.json"));
    assert.equal(JSON.parse(summary.toString()).status, "interrupted");
    assert.ok((await object("p/up-term/summary.json"))?.equals(summary));
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

test("upload - a malformed bucket URL, or S3 settings without a bucket, are input errors (exit 2) before the run", async () => {
  const bad = await runCli([
    "run",
    "examples/tiny.yaml",
    "--out",
    join(dir.path, "bad"),
    "--upload-results-to",
    "s3://Not_A_Bucket/x",
  ]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--upload-results-to "Not_A_Bucket" is not a valid bucket name/);
  const noBucket = await runCli([
    "run",
    "examples/tiny.yaml",
    "--out",
    join(dir.path, "bad"),
    "--s3-endpoint",
    endpoint,
  ]);
  assert.equal(noBucket.code, 2, noBucket.stderr);
  assert.match(noBucket.stderr, /need --upload-results-to/);
});
