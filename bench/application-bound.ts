/**
 * The most a transform of application lines could do, as a measured bound (`npm run bench --
 * --per-source`; docs/benchmark.md, "Why the speed and re-ingestion targets are not reached"),
 * the counterpart of bench/flow-bound.ts for plain text and JSON no mapping knows: each line
 * written as one template string, a Base Event (class 0) of **only** what OCSF 1.1.0 requires
 * when it declares no profile (`class_uid`, `category_uid`, `activity_id`, `type_uid`,
 * `severity_id`, `time`, `metadata.version`, `metadata.product` with the `vendor_name` it
 * requires and the `name` its `at_least_one` constraint asks for (or `uid`): base_event's,
 * metadata's and product's "required" attributes outside the `cloud` profile, compiled schema
 * test/ocsf/schema; the name logwarden's documents give, "Application logs"), its event id as
 * `metadata.uid` and the line as `raw_data`. With `search`, also what a search of application logs needs: a JSON object line's
 * fields as `unmapped` (a `flat_object` in the index template), any other line as `message` (the
 * template's searchable text: `raw_data` is stored with `"index": false`; logwarden's documents
 * do the same), and where it came from: the
 * account as `cloud.account.uid` (with the `cloud` profile and the `cloud.provider` it requires)
 * and the log group as `metadata.log_name`. Nothing is checked, so a writer of valid, lossless,
 * searchable documents does at least this much; test/bench/application-bound.test.ts checks
 * that its documents are valid OCSF 1.1.0 and keep the line. Not a transform logwarden could ship.
 */

/** A CloudWatch Logs event as the payload carries it. */
export interface BoundLogEvent {
  id: string;
  timestamp: number;
  message: string;
}

/** Where a payload came from: its owner account and log group. */
export interface BoundPayload {
  owner: string;
  logGroup: string;
}

/** The bound's writer of one application line (plain text, or JSON no mapping knows). */
export function applicationBoundWriter(search: boolean): (e: BoundLogEvent, from: BoundPayload) => string {
  return (e, from) => {
    const line = JSON.stringify(e.message);
    let more = '';
    let profiles = '';
    if (search) {
      // A JSON object line is searched by its fields, any other line by its text.
      const fields = jsonFields(e.message);
      more = `,"cloud":{"provider":"AWS","account":{"uid":${JSON.stringify(from.owner)}}}${fields === undefined ? `,"message":${line}` : `,"unmapped":${fields}`}`;
      profiles = `"profiles":["cloud"],"log_name":${JSON.stringify(from.logGroup)},`;
    }
    return `{"class_uid":0,"category_uid":0,"activity_id":0,"type_uid":0,"severity_id":1,"time":${e.timestamp},"metadata":{"version":"1.1.0",${profiles}"product":{"vendor_name":"AWS","name":"Application logs"},"uid":"${e.id}"}${more},"raw_data":${line}}`;
  };
}

/** A JSON object line's fields as JSON text; undefined for any other line, or an empty object. */
function jsonFields(message: string): string | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(message);
    const fields = JSON.stringify(parsed);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && fields !== '{}'
      ? fields
      : undefined;
  } catch {
    return undefined;
  }
}
