/**
 * The most a transform of GuardDuty findings could do while keeping the decided content key, as
 * a measured bound (`npm run bench -- --per-source`; docs/benchmark.md, "GuardDuty: out of
 * reach under the decided content key"), the counterpart of bench/flow-bound.ts and
 * bench/application-bound.ts: each line (an EventBridge "GuardDuty Finding" event) parsed with
 * `JSON.parse`, its finding's content key computed by the product's own `contentKey` (canonical
 * JSON and sha256, functions/shared/ocsf/guardduty.ts: decided 2026-12-07 to stay canonical) into
 * `metadata.uid` as the product writes it (`<id>:<updatedAt>:<key>`, the log event's id for a
 * finding without an id), and written as one template string, a Detection Finding (class 2004)
 * of **only** what OCSF 1.1.0 requires when it declares no profile (`class_uid`, `category_uid`,
 * `activity_id` 0, `type_uid`, `severity_id` 1, `time` (the log event's), `metadata.version`,
 * `metadata.product` with the `vendor_name` it requires and the `name` its `at_least_one`
 * constraint asks for, and `finding_info` with the `uid` and `title` it requires, here the
 * document's uid and a fixed title: detection_finding's, metadata's, product's and
 * finding_info's "required" attributes outside the `cloud` and `security_control` profiles,
 * compiled schema test/ocsf/schema) and the line as `raw_data`. With `search`, also what a search
 * of findings needs: the finding's own `arn` and `title` as `finding_info.uid` and `.title`, its
 * severity band as `severity_id` (the product's `guardDutySeverityId`), and its account as
 * `cloud.account.uid` (with the `cloud` profile and the `cloud.provider` it requires).
 *
 * Nothing else is checked, and the parse is `JSON.parse` alone: the product's `parseJsonLine`
 * also walks the parsed finding for integers past 2^53 (and keeps their digits, so the key of
 * such a finding differs from this one's): a writer of valid, lossless documents with the
 * product's key does at least this much. test/bench/guardduty-bound.test.ts checks that its
 * documents are valid OCSF 1.1.0, keep the line, and carry the product's `metadata.uid`. Not a
 * transform logwarden could ship.
 */
import { str } from '../functions/shared/ocsf/document';
import { contentKey, guardDutySeverityId } from '../functions/shared/ocsf/guardduty';
import type { BoundLogEvent } from './application-bound';

/** The finding's fields the bound reads. */
interface BoundFinding extends Record<string, unknown> {
  id?: unknown;
  updatedAt?: unknown;
  arn?: unknown;
  title?: unknown;
  severity?: unknown;
  accountId?: unknown;
}

/** The bound's writer of one GuardDuty finding line (an EventBridge event). */
export function guardDutyBoundWriter(search: boolean): (e: BoundLogEvent) => string {
  return (e) => {
    const finding = (JSON.parse(e.message) as { detail: BoundFinding }).detail;
    // The product's metadata.uid (toDetectionFinding): a finding version and its content key.
    const id = str(finding.id);
    const uid = JSON.stringify(id ? `${id}:${str(finding.updatedAt) ?? ''}:${contentKey(finding)}` : e.id);
    const head = `{"class_uid":2004,"category_uid":2,"activity_id":0,"type_uid":200400,"time":${e.timestamp},`;
    const product = `"product":{"vendor_name":"AWS","name":"GuardDuty"},"uid":${uid}}`;
    const line = JSON.stringify(e.message);
    if (!search)
      return `${head}"severity_id":1,"metadata":{"version":"1.1.0",${product},"finding_info":{"uid":${uid},"title":"GuardDuty finding"},"raw_data":${line}}`;
    return `${head}"severity_id":${guardDutySeverityId(finding.severity)},"metadata":{"version":"1.1.0","profiles":["cloud"],${product},"cloud":{"provider":"AWS","account":{"uid":${JSON.stringify(finding.accountId)}}},"finding_info":{"uid":${JSON.stringify(finding.arn)},"title":${JSON.stringify(finding.title)}},"raw_data":${line}}`;
  };
}
