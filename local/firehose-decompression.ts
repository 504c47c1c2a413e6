/**
 * Firehose's CloudWatch Logs decompression processor (`Type: Decompression`, `CompressionFormat`
 * `GZIP`), as the stand-in applies it to each source record before the Lambda processor sees it.
 * What it does is what the Firehose Developer Guide says, and no more:
 * - "CloudWatch Logs events are sent to Firehose in compressed gzip format. If you want to
 *   deliver decompressed log events to Firehose destinations, you can use the decompression
 *   feature in Firehose to automatically decompress CloudWatch Logs" ("Send CloudWatch Logs to
 *   Firehose"): one record in, its gunzipped bytes out.
 * - "If Amazon Data Firehose is not able to decompress the record, the record is delivered as is
 *   (in compressed format) to error S3 bucket ... these objects will be delivered to an S3 bucket
 *   prefix called decompression-failed. Firehose will continue to process other records after a
 *   failed decompression of a record" ("Troubleshoot decompression in Firehose"): a record that is
 *   not gzip, or whose gzip is corrupt, never reaches the transform and is kept as it came.
 * - "If you enable the decompression feature on a stream that is used to ingest both CloudWatch
 *   Logs and Vended Logs, the Vended Logs ingestion to Firehose fails. This decompression feature
 *   is only for CloudWatch Logs" ("Decompress CloudWatch Logs"): a stream fed by vended logs (the
 *   direct flow-log path) refuses them here too (`refuseVendedLogs`).
 * The guide names no error code for a failed decompression; the one written here is the
 * stand-in's own, and says so.
 */
import { gunzipSync } from 'node:zlib';

/** `!{firehose:error-output-type}` of a record Firehose could not decompress (see above). */
export const decompressionFailedType = 'decompression-failed';

export type Decompressed =
  { ok: true; data: Buffer } | { ok: false; errorCode: string; errorMessage: string };

/**
 * One record through the decompression processor: its bytes gunzipped, or why it failed. Only
 * gzip is decompressed ("CompressionFormat": GZIP is the one value the stack sets, and what
 * CloudWatch Logs writes); anything else fails as Firehose's would, whole.
 */
export function decompressRecord(data: Uint8Array): Decompressed {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b)
    return {
      ok: false,
      errorCode: 'logwarden-standin.NotGzip',
      errorMessage: 'The record is not gzip: the Decompression processor (GZIP) cannot decompress it',
    };
  try {
    return { ok: true, data: gunzipSync(bytes) };
  } catch (err) {
    return {
      ok: false,
      errorCode: 'logwarden-standin.CorruptGzip',
      errorMessage: `The record's gzip could not be decompressed: ${(err as Error).message}`,
    };
  }
}

/** The stand-in refuses, as Firehose fails, vended logs into a stream that decompresses. */
export function refuseVendedLogs(streamName: string): never {
  throw new Error(
    `${streamName} has the CloudWatch Logs Decompression processor, and vended logs (flow logs) ` +
      `deliver to it: "the Vended Logs ingestion to Firehose fails" (Firehose Developer Guide, ` +
      `"Decompress CloudWatch Logs")`,
  );
}
