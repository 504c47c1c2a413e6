import { backoffDelayMs, sleep as realSleep } from '../shared/backoff';
import type { OcsfDocument } from '../shared/ocsf/document';
import { indexFor } from '../shared/opensearch/index-model';
import type { SearchClient } from '../shared/opensearch/client';

export interface DocumentOutcome {
  doc: OcsfDocument;
  status: number;
  reason: string;
}

export interface BulkResult {
  indexed: number;
  /** Rejected for good (mapping errors, 400s): to be kept elsewhere with the reason. */
  rejected: DocumentOutcome[];
  /** Still failing after every retry (429, 5xx, network): the caller must not acknowledge them. */
  failed: DocumentOutcome[];
  retries: number;
}

export interface BulkOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  /** Keep each _bulk body below this many bytes. */
  maxBodyBytes?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface BulkItem {
  index?: { status: number; error?: { type?: string; reason?: string } };
}

const retryable = (status: number) => status === 429 || status >= 500;

function bodies(docs: OcsfDocument[], maxBytes: number): { docs: OcsfDocument[]; body: string }[] {
  const out: { docs: OcsfDocument[]; body: string }[] = [];
  let current: OcsfDocument[] = [];
  let lines: string[] = [];
  let bytes = 0;
  for (const doc of docs) {
    const action = JSON.stringify({ index: { _index: indexFor(doc), _id: doc.metadata.uid } });
    const source = JSON.stringify(doc);
    const size = action.length + source.length + 2;
    if (current.length && bytes + size > maxBytes) {
      out.push({ docs: current, body: lines.join('\n') + '\n' });
      current = [];
      lines = [];
      bytes = 0;
    }
    current.push(doc);
    lines.push(action, source);
    bytes += size;
  }
  if (current.length) out.push({ docs: current, body: lines.join('\n') + '\n' });
  return out;
}

/**
 * Indexes documents with `_id = metadata.uid` (a replay overwrites, never duplicates). 429 and
 * 5xx, per item or for the whole request, are retried with full-jitter backoff; any other
 * per-item error is a rejection, returned with its reason and never retried.
 */
export async function bulkIndex(
  search: SearchClient,
  docs: OcsfDocument[],
  options: BulkOptions = {},
): Promise<BulkResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? realSleep;
  const result: BulkResult = { indexed: 0, rejected: [], failed: [], retries: 0 };
  let pending = docs;
  for (let attempt = 0; pending.length && attempt < maxAttempts; attempt++) {
    if (attempt > 0) {
      result.retries++;
      await sleep(backoffDelayMs(attempt, options.baseDelayMs ?? 200));
    }
    const again: DocumentOutcome[] = [];
    for (const chunk of bodies(pending, options.maxBodyBytes ?? 5 * 1024 * 1024)) {
      let status: number;
      let body: unknown;
      try {
        ({ status, body } = await search.request('POST', '/_bulk', chunk.body, 'application/x-ndjson'));
      } catch (err) {
        again.push(
          ...chunk.docs.map((doc) => ({ doc, status: 0, reason: `network: ${(err as Error).message}` })),
        );
        continue;
      }
      const items = (body as { items?: BulkItem[] } | undefined)?.items;
      if (status >= 300 || !Array.isArray(items) || items.length !== chunk.docs.length) {
        const reason = `bulk request answered ${status}: ${JSON.stringify(body).slice(0, 500)}`;
        const outcomes = chunk.docs.map((doc) => ({ doc, status, reason }));
        if (retryable(status) || status === 0) again.push(...outcomes);
        else result.rejected.push(...outcomes);
        continue;
      }
      items.forEach((item, i) => {
        const s = item.index?.status ?? 0;
        if (s >= 200 && s < 300) {
          result.indexed++;
          return;
        }
        const e = item.index?.error;
        const outcome = {
          doc: chunk.docs[i],
          status: s,
          reason: `${e?.type ?? 'error'}: ${e?.reason ?? 'unknown'}`,
        };
        if (retryable(s)) again.push(outcome);
        else result.rejected.push(outcome);
      });
    }
    pending = again.map((o) => o.doc);
    if (attempt === maxAttempts - 1) result.failed.push(...again);
  }
  return result;
}
