// bench --> (latency model): how long each stubbed AWS call takes in the latency mode, from AWS's
// published figures. Both contenders get the same model; the CPU mode runs with none. Fixed values,
// no jitter: two runs model the same waits, so what differs between them is the machine.
//
// Where each figure comes from (and where the choice leans, since mailroute makes one S3 call, four
// DynamoDB calls and one SES call per forwarded message, the forwarder two S3 calls and one SES call):
//
// - S3 first byte, 100 ms: "first-byte latency 100-200 ms", as issue #15 and many S3 notes quote the
//   S3 user guide's performance pages (https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html;
//   the page's own wording was not at hand when this was written). The low end is taken: it favours
//   the forwarder, which makes two S3 calls to mailroute's one. (The S3 performance whitepaper's retry advice,
//   https://docs.aws.amazon.com/whitepapers/latest/s3-optimizing-performance-best-practices/timeouts-and-retries-for-latency-sensitive-applications.html,
//   speaks of median latencies "often in the tens of milliseconds" for requests under 512 KB: the
//   README shows what that would change.)
// - S3 throughput, 85 MB/s for one connection: "make one concurrent request for each 85-90 MB/s of
//   desired network throughput" (same whitepaper, horizontal-scaling-and-request-parallelization-for-high-throughput).
//   A GetObject body arrives at that pace after its first byte; both contenders read with one request.
// - S3 CopyObject, 100 ms: one S3 request round trip. AWS publishes no figure for a server-side copy;
//   charging nothing for the bytes copied favours the forwarder, the only one that copies.
// - DynamoDB, 9 ms a call (PutItem, UpdateItem, GetItem): "single-digit millisecond performance at
//   any scale" (https://aws.amazon.com/dynamodb/). The high end is taken: only mailroute calls it.
// - SES SendEmail (raw), 30 ms, plus the request body at 85 MB/s. AWS publishes no latency figure for
//   SES (its guide, https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-throughput-problems.html,
//   says each call "takes time to complete" and to measure it); issue #15 asks for "tens of
//   milliseconds". The upload of the request (the message as base64 in JSON) is charged at the same
//   one-connection rate as S3; both contenders send about the same bytes.

export interface LatencyModel {
  s3FirstByteMs: number;
  s3BytesPerMs: number;
  s3CopyMs: number;
  dynamoDbMs: number;
  sesMs: number;
  sesUploadBytesPerMs: number;
}

const MB_PER_S = (1024 * 1024) / 1000;

export const AWS_LATENCY: LatencyModel = {
  s3FirstByteMs: 100,
  s3BytesPerMs: 85 * MB_PER_S,
  s3CopyMs: 100,
  dynamoDbMs: 9,
  sesMs: 30,
  sesUploadBytesPerMs: 85 * MB_PER_S,
};

/** The model as the JSON figures state it. */
export function describeModel(model: LatencyModel) {
  return {
    s3_first_byte_ms: model.s3FirstByteMs,
    s3_mb_per_s: Math.round(model.s3BytesPerMs / MB_PER_S),
    s3_copy_ms: model.s3CopyMs,
    dynamodb_ms: model.dynamoDbMs,
    ses_ms: model.sesMs,
    ses_upload_mb_per_s: Math.round(model.sesUploadBytesPerMs / MB_PER_S),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until `deadline` (a `performance.now()` time). Timers fire late by a millisecond or so, so a
 * body paced chunk by chunk stays on its schedule by aiming at absolute times, not by adding waits.
 */
export async function until(deadline: number): Promise<void> {
  const left = deadline - performance.now();
  if (left >= 1) await sleep(left);
}
