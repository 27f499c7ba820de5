/**
 * Uploads a results directory to an S3-compatible bucket as s3://BUCKET/PREFIX/<run id>/<file>, so a run in a pod
 * keeps its results after the pod is gone and runs never overwrite each other. The client is the AWS SDK's S3
 * client: credentials come from its standard chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a web identity token
 * in a pod, a profile), never from a dctwin flag; `endpoint` and `pathStyle` reach other S3-compatible stores.
 */
import { readdirSync, readFileSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";

export interface S3Target {
  bucket: string;
  /** Key prefix without leading or trailing '/', possibly empty. */
  prefix: string;
}

export interface S3UploadOptions {
  /** Endpoint URL of an S3-compatible store (default: AWS, or the SDK's AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL). */
  endpoint?: string;
  /** Region to sign for (default: AWS_REGION, else us-east-1, which S3-compatible stores accept). */
  region?: string;
  /** Path-style addressing (http://host/bucket/key), which most S3-compatible stores need. */
  pathStyle?: boolean;
}

export class ResultsUploadError extends Error {
  override name = "ResultsUploadError";
}

// S3's bucket naming rules: 3-63 lower-case letters, digits, dots and hyphens, starting and ending alphanumeric.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket[/prefix]`; throws with what is wrong. */
export function parseS3Url(url: string): S3Target {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  if (match === null) throw new Error(`expects s3://BUCKET[/PREFIX], got "${url}"`);
  const bucket = match[1]!;
  if (!BUCKET.test(bucket))
    throw new Error(`"${bucket}" is not a valid bucket name (3-63 lower-case letters, digits, '.' and '-')`);
  const prefix = (match[2] ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix.split("/").some((part) => part === "." || part === ".."))
    throw new Error(`the prefix "${prefix}" may not hold "." or ".." segments`);
  return { bucket, prefix };
}

/** The object key of one results file. */
export function objectKey(target: S3Target, runId: string, relativePath: string): string {
  return [target.prefix, runId, relativePath.split(sep).join("/")].filter((part) => part !== "").join("/");
}

const CONTENT_TYPES: Record<string, string> = {
  ".json": "application/json",
  ".csv": "text/csv",
  ".html": "text/html; charset=utf-8",
  ".yaml": "application/yaml",
  ".parquet": "application/vnd.apache.parquet",
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** Uploads every file under `outDir`; returns the s3:// URL of the run's folder. */
export async function uploadResults(
  outDir: string,
  target: S3Target,
  runId: string,
  options: S3UploadOptions = {},
): Promise<string> {
  // Loaded on demand: a run that uploads nothing does not pay for the SDK.
  const { S3Client, PutObjectCommand } = await import("@aws-sdk/client-s3");
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    forcePathStyle: options.pathStyle === true,
    // Checksums only where S3 requires them: S3-compatible stores do not all know the newer checksum headers.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const folder = `s3://${target.bucket}/${objectKey(target, runId, "")}`;
  try {
    for (const file of filesUnder(outDir)) {
      await client.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: objectKey(target, runId, file),
          Body: readFileSync(join(outDir, file)),
          ContentType: CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
        }),
      );
    }
  } catch (error) {
    throw new ResultsUploadError(
      `uploading the results to ${folder}/ failed: ${(error as Error).name}: ${(error as Error).message} (they are in ${outDir}/)`,
    );
  } finally {
    client.destroy();
  }
  return folder;
}
