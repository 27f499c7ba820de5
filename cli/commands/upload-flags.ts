/** The flags of `dctwin run` that upload its results to an S3-compatible bucket (coordinator/upload-results.ts). */
import { InvalidArgumentError, type Command } from "commander";
import { parseS3Url, type S3Target, type S3UploadOptions } from "../../coordinator/upload-results.ts";

export interface UploadFlags {
  uploadResultsTo?: S3Target;
  s3Endpoint?: string;
  s3Region?: string;
  s3PathStyle?: boolean;
}

function s3Url(value: string): S3Target {
  try {
    return parseS3Url(value);
  } catch (error) {
    throw new InvalidArgumentError(`--upload-results-to ${(error as Error).message}`);
  }
}

function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`--s3-endpoint expects an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidArgumentError(`--s3-endpoint expects an http(s) URL, got "${value}"`);
  return value;
}

export function addUploadOptions(command: Command): Command {
  return command
    .option(
      "--upload-results-to <s3-url>",
      "also upload the results to s3://BUCKET/PREFIX/<run id>/, also for failed and interrupted runs (credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the AWS SDK's other sources)",
      s3Url,
    )
    .option(
      "--s3-endpoint <url>",
      "endpoint of an S3-compatible store (default: AWS S3, or AWS_ENDPOINT_URL_S3)",
      httpUrl,
    )
    .option("--s3-region <region>", "region to sign requests for (default: AWS_REGION, else us-east-1)")
    .option(
      "--s3-path-style",
      "path-style bucket addressing (http://HOST/BUCKET/KEY), which most S3-compatible stores need",
    );
}

export function uploadFromFlags(opts: UploadFlags): { uploadResultsTo?: S3Target; s3?: S3UploadOptions } {
  const s3: S3UploadOptions = { endpoint: opts.s3Endpoint, region: opts.s3Region, pathStyle: opts.s3PathStyle };
  if (opts.uploadResultsTo === undefined) {
    if (opts.s3Endpoint !== undefined || opts.s3Region !== undefined || opts.s3PathStyle === true)
      throw new InvalidArgumentError("--s3-endpoint, --s3-region and --s3-path-style need --upload-results-to");
    return {};
  }
  return { uploadResultsTo: opts.uploadResultsTo, s3 };
}
