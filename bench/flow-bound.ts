/**
 * The most a flow-record transform could do, as a measured bound (`npm run bench -- --per-source`;
 * docs/benchmark.md, "Why the speed and re-ingestion targets are not reached"): each line split on
 * single spaces and written as one template string, a document of **only** what OCSF 1.1.0
 * requires of Network Activity when it declares no profile (`class_uid`, `category_uid`,
 * `activity_id`, `type_uid`, `severity_id`, `time`, `metadata.version`, `metadata.product` with
 * `vendor_name` and `name`, and an `ip` for each endpoint: the class's "required" attributes
 * outside the `cloud` and `security_control` profiles, and the network endpoint's `at_least_one`,
 * compiled schema test/ocsf/schema), its event id as `metadata.uid` and the line as `raw_data`.
 * With `search`, also what a search for a flow needs: both ports, the protocol number, bytes and
 * packets (`connection_info` with the `direction_id` it requires, 0: unknown). Nothing is
 * checked (a `-` field is written as it is), so a writer of valid, lossless documents does at
 * least this much; test/bench/flow-bound.test.ts checks that its documents of complete lines are
 * valid OCSF 1.1.0 and keep the line. Not a transform logwarden could ship.
 */
import type { FlowLogFormat } from '../functions/shared/flow-log-formats';

/** The fields a search-ready bound document reads, besides those every one reads. */
export const boundFields = ['start', 'srcaddr', 'dstaddr', 'action'] as const;
export const boundSearchFields = ['srcport', 'dstport', 'protocol', 'bytes', 'packets'] as const;

/** The bound's writer of one line of `format` (its message and CloudWatch Logs event id). */
export function flowBoundWriter(
  format: FlowLogFormat,
  search: boolean,
): (message: string, id: string) => string {
  const at = (field: string) => {
    const i = format.fields.indexOf(field);
    if (i < 0) throw new Error(`format ${format.id} has no ${field}`);
    return i;
  };
  const [start, srcaddr, dstaddr, action] = boundFields.map(at);
  const [srcport, dstport, protocol, bytes, packets] = search ? boundSearchFields.map(at) : [];
  return (m, id) => {
    const v = m.split(' ');
    const activity = v[action] === 'ACCEPT' ? 6 : v[action] === 'REJECT' ? 5 : 0;
    const src = search ? `"ip":"${v[srcaddr]}","port":${v[srcport]}` : `"ip":"${v[srcaddr]}"`;
    const dst = search ? `"ip":"${v[dstaddr]}","port":${v[dstport]}` : `"ip":"${v[dstaddr]}"`;
    const more = search
      ? `,"connection_info":{"direction_id":0,"protocol_num":${v[protocol]}},"traffic":{"bytes":${v[bytes]},"packets":${v[packets]}}`
      : '';
    return `{"class_uid":4001,"category_uid":4,"activity_id":${activity},"type_uid":${400100 + activity},"severity_id":1,"time":${Number(v[start]) * 1000},"metadata":{"version":"1.1.0","product":{"vendor_name":"AWS","name":"Amazon VPC"},"uid":"${id}"},"src_endpoint":{${src}},"dst_endpoint":{${dst}}${more},"raw_data":${JSON.stringify(m)}}`;
  };
}
