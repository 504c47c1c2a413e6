import { backoffDelayMs, sleep as realSleep } from '../shared/backoff';
import type { OcsfDocument } from '../shared/ocsf/document';
import type { SearchClient } from '../shared/opensearch/client';

/** One document to index: its `_id` (owner-namespaced, see documentId) and its index. */
export interface IndexEntry {
  doc: OcsfDocument;
  id: string;
  index: string;
}

export interface DocumentOutcome {
  entry: IndexEntry;
  status: number;
  reason: string;
}

export interface BulkResult {
  /** Created now: the only documents OpenSearch took from this call. */
  indexed: number;
  /** The entries created now, for the counts that must say what OpenSearch accepted. */
  created: IndexEntry[];
  /** Already there (409 on create): a replay or a re-delivery, not a failure. */
  alreadyIndexed: number;
  /** Rejected for good (mapping errors, 400s, unserializable): kept elsewhere with the reason. */
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
  /**
   * Epoch ms after which no request is started: what is still pending then fails (the record is
   * retried) while the function has time left to say so in its log and metrics.
   */
  deadline?: number;
  now?: () => number;
}

interface BulkItem {
  create?: { status: number; error?: { type?: string; reason?: string } };
}

/**
 * Errors that say "not now" rather than "never": a cluster or index block (a write block, the
 * read-only block OpenSearch sets at the disk flood-stage watermark, `cluster.blocks.read_only`)
 * and a closed index answer 403, 429 or 400, but lift when an operator acts. Rejecting them
 * would send every document of the outage to rejected/ for good.
 */
const transientTypes = new Set(['cluster_block_exception', 'index_closed_exception']);

const retryable = (status: number, type?: string) =>
  status === 429 || status >= 500 || (type !== undefined && transientTypes.has(type));

interface Body {
  entries: IndexEntry[];
  body: string;
}

/**
 * `_bulk` bodies of `create` actions. A document that cannot be serialized is rejected on its
 * own, so its neighbours are still indexed.
 */
function bodies(entries: IndexEntry[], maxBytes: number, rejected: DocumentOutcome[]): Body[] {
  const out: Body[] = [];
  let current: IndexEntry[] = [];
  let lines: string[] = [];
  let bytes = 0;
  for (const entry of entries) {
    let source: string;
    try {
      source = JSON.stringify(entry.doc);
    } catch (err) {
      rejected.push({ entry, status: 0, reason: `document cannot be serialized: ${(err as Error).message}` });
      continue;
    }
    const action = JSON.stringify({ create: { _index: entry.index, _id: entry.id } });
    // Bytes on the wire, as the domain's request limit counts them: UTF-8, not UTF-16 units.
    const size = Buffer.byteLength(action) + Buffer.byteLength(source) + 2;
    if (current.length && bytes + size > maxBytes) {
      out.push({ entries: current, body: lines.join('\n') + '\n' });
      current = [];
      lines = [];
      bytes = 0;
    }
    current.push(entry);
    lines.push(action, source);
    bytes += size;
  }
  if (current.length) out.push({ entries: current, body: lines.join('\n') + '\n' });
  return out;
}

/**
 * Creates documents with their deterministic `_id`: the writer role may only create, and a
 * replay answers 409 version_conflict for what is already there, which counts as indexed. 429
 * and 5xx, per item or for the whole request, are retried with full-jitter backoff; any other
 * per-item error is a rejection, returned with its reason and never retried.
 */
export async function bulkIndex(
  search: SearchClient,
  entries: IndexEntry[],
  options: BulkOptions = {},
): Promise<BulkResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const outOfTime = () => options.deadline !== undefined && now() >= options.deadline;
  const result: BulkResult = {
    indexed: 0,
    created: [],
    alreadyIndexed: 0,
    rejected: [],
    failed: [],
    retries: 0,
  };
  let pending = entries;
  let maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024;
  for (let attempt = 0; pending.length && attempt < maxAttempts; attempt++) {
    if (attempt > 0) {
      result.retries++;
      await sleep(backoffDelayMs(attempt, options.baseDelayMs ?? 200));
    }
    const again: DocumentOutcome[] = [];
    for (const chunk of bodies(pending, maxBodyBytes, result.rejected)) {
      if (outOfTime()) {
        const reason = 'not sent: the function is near its timeout';
        again.push(...chunk.entries.map((entry) => ({ entry, status: 0, reason })));
        continue;
      }
      let status: number;
      let body: unknown;
      try {
        ({ status, body } = await search.request('POST', '/_bulk', chunk.body, 'application/x-ndjson'));
      } catch (err) {
        const reason = `network: ${(err as Error).message}`;
        again.push(...chunk.entries.map((entry) => ({ entry, status: 0, reason })));
        continue;
      }
      const items = (body as { items?: BulkItem[] } | undefined)?.items;
      if (status >= 300 || !Array.isArray(items) || items.length !== chunk.entries.length) {
        const reason = `bulk request answered ${status}: ${JSON.stringify(body)?.slice(0, 500)}`;
        const type = (body as { error?: { type?: string } } | undefined)?.error?.type;
        const outcomes = chunk.entries.map((entry) => ({ entry, status, reason }));
        if (status === 413 && chunk.entries.length > 1) {
          // The body passed the domain's request size ("Maximum size of HTTP request payloads",
          // OpenSearch Service quotas, by instance type): sent again in halves, not rejected.
          maxBodyBytes = Math.min(maxBodyBytes, Math.floor(Buffer.byteLength(chunk.body) / 2));
          again.push(...outcomes);
        } else if (retryable(status, type) || status === 0) again.push(...outcomes);
        else result.rejected.push(...outcomes);
        continue;
      }
      items.forEach((item, i) => {
        const s = item.create?.status ?? 0;
        if (s >= 200 && s < 300) {
          result.indexed++;
          result.created.push(chunk.entries[i]);
          return;
        }
        const e = item.create?.error;
        if (s === 409 && e?.type === 'version_conflict_engine_exception') {
          result.alreadyIndexed++;
          return;
        }
        const outcome = {
          entry: chunk.entries[i],
          status: s,
          reason: `${e?.type ?? 'error'}: ${e?.reason ?? 'unknown'}`,
        };
        if (retryable(s, e?.type)) again.push(outcome);
        else result.rejected.push(outcome);
      });
    }
    pending = again.map((o) => o.entry);
    if (attempt === maxAttempts - 1 || outOfTime()) {
      result.failed.push(...again);
      break;
    }
  }
  return result;
}

/**
 * Creates the indices a batch needs that this container has not seen yet, and reports which
 * ones it created (the `IndicesCreated` metric): 200 created, 400
 * `resource_already_exists_exception` someone else did. Any other answer leaves the index to the
 * bulk request's own auto-creation, uncounted; the write path never depends on this call.
 */
export async function createMissingIndices(
  search: SearchClient,
  indices: Iterable<string>,
  known: Set<string>,
): Promise<string[]> {
  const created: string[] = [];
  for (const index of new Set(indices)) {
    if (known.has(index)) continue;
    try {
      const res = await search.request('PUT', `/${encodeURIComponent(index)}`);
      const type = (res.body as { error?: { type?: string } } | undefined)?.error?.type;
      if (res.status >= 200 && res.status < 300) {
        created.push(index);
        known.add(index);
      } else if (type === 'resource_already_exists_exception') known.add(index);
    } catch {
      // Unreachable now (refused, or no answer within the client's timeout): the bulk request
      // will say so, with retries. Asking for the other indices would only wait again.
      break;
    }
  }
  return created;
}
