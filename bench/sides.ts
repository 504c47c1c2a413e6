/**
 * The two sides every benchmark entry measures, defined once: the lossless floor and the
 * transform as Lambda runs it (the esbuild bundle), with the corpus' sources trusted (bench-trust.ts).
 *
 * The floor: (1) decode and gunzip each record; (2) parse the payload and each JSON message;
 * (3) stringify each parsed event together with its raw line (every logwarden document carries
 * `raw_data`, so any lossless transform writes both); (4) base64 the result.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { gunzipSync } from 'node:zlib';
import type { FirehoseTransformEvent } from '../functions/transform/transform';
import { benchTrust } from './bench-trust';
import { bundledTransform } from './bundled-transform';

export const { transformFirehoseEvent, FlowLogFormatRegistry } = bundledTransform();
export const formats = new FlowLogFormatRegistry();
export const trust = benchTrust();
const kinesis = new KinesisClient({ region: 'eu-west-1' });

/** The floor: what any lossless transform of this data must do at least. Returns its output bytes. */
export function floor(event: FirehoseTransformEvent): number {
  let out = 0;
  for (const r of event.records) {
    const payload = JSON.parse(gunzipSync(Buffer.from(r.data, 'base64')).toString('utf8'));
    let ndjson = '';
    for (const e of payload.logEvents) {
      const m: string = e.message;
      const parsed: unknown = m.startsWith('{') ? JSON.parse(m) : m;
      ndjson += JSON.stringify({ event: parsed, raw_data: m }) + '\n';
    }
    out += Buffer.from(ndjson).toString('base64').length;
  }
  return out;
}

/** The transform, every record in the response. Returns its output bytes. */
export async function transformed(event: FirehoseTransformEvent): Promise<number> {
  const { records } = await transformFirehoseEvent(event, {
    formats,
    trust,
    kinesis,
    maxResponseBytes: Number.MAX_SAFE_INTEGER,
  });
  return records.reduce((s, r) => s + (r.data?.length ?? 0), 0);
}
