"""What AWS emits when a call is made on the stand-in: the CloudTrail record of the call, delivered
by every trail that logs it into the trail's CloudWatch Logs group, and the events services send
to EventBridge. moto records nothing of the sort; here every request that reaches moto is
recorded as CloudTrail records it, and the local world reads the events back
(`GET /logwarden-standins/events?after=N`) and puts each on the default bus of its account and
region (local/event-bus.ts), where only the deployed rules decide what follows.

What rests on which AWS text:

- Which calls are recorded. Management events that change something (CloudTrail User Guide,
  "Logging management events": management events "provide information about management
  operations that are performed on resources in your AWS account"; `readOnly` false). Read-only
  management calls (Get*, List*, Describe*, ...) are not recorded here: a choice of the local
  world, listed in docs/local-run.md ("Still decided by the run"), which keeps the trail's group
  to the calls that can change coverage. Data events (CloudWatch Logs PutLogEvents, Kinesis
  records, S3 objects, DynamoDB items, SNS Publish, SQS messages, Lambda Invoke) are not
  management events and a trail without data event selectors, as logwarden's, does not log
  them; STS AssumeRole and GetCallerIdentity are read-only, but GetFederationToken and
  GetSessionToken are "change events, even though they begin with the verb Get" (EventBridge User
  Guide, "Receiving read-only management events from AWS services") and are recorded.
- The record (CloudTrail User Guide, "CloudTrail record contents"): `eventSource`
  `<service>.amazonaws.com`, `eventName` the operation, `awsRegion` the region of the call
  (global services, IAM, STS, Organizations, in us-east-1), `userIdentity` of the signing
  principal, `recipientAccountId`, `requestParameters` and `responseElements`, and `errorCode`
  and `errorMessage` for a refused call, which changed nothing and has no `responseElements`.
- Delivery to CloudWatch Logs (CloudTrail User Guide, "Sending events to CloudWatch Logs"):
  a trail with a log group and a role delivers every event it logs into that group, CloudTrail
  assuming the role (`logs:CreateLogStream`, `logs:PutLogEvents`, trusted by
  `cloudtrail.amazonaws.com`) to write a stream named as "CloudWatch log group and log stream
  naming for CloudTrail" says, "account_ID_CloudTrail_trail_region" (earlier versions of the page:
  "account_ID_CloudTrail_source_region"; one stream per Region the events come from), a member
  account's of an organization trail after the organization id (the role policy page's
  "log-stream:o-exampleorgid_*" for organization trails). A trail logs the calls
  of its own account, an organization trail those of every account of the organization; a
  single-region trail only those of its region; a call made while the trail is stopped is not
  logged, the StopLogging itself is. Only the management events the trail's event selectors
  select are delivered (PutEventSelectors: "If the event doesn't match any event selector, the
  trail doesn't log the event"; `selects`); the GetTrailStatus of a trail reports the outcome of
  its latest delivery (cloudtrail.py).
- EventBridge ("AWS service events delivered via AWS CloudTrail"): the record in the envelope
  `AWS API Call via CloudTrail`, source `aws.<service>`, in the account and region of the call,
  only when a logging trail logs it ("a CloudTrail trail with logging enabled is required").
- Region Opt-In Status Change (Account Management Reference, "Monitoring Account Management
  events with EventBridge"): "an EventBridge event will be sent to the calling account when
  either the enable or disable process has started, and again once either process has
  completed", in us-east-1, `detail.accountId` the account the Region was changed for
  (local/standins/account.py emits them).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Any

_lock = threading.Lock()
EVENTS: list[dict[str, Any]] = []
# Records that could not be made (a bug of the stand-in, reported with the events).
FAILURES: list[str] = []
# Per request thread: the operation validate.py parsed and the caller iam.py identified.
CURRENT = threading.local()

# Services whose calls CloudTrail records in us-east-1 (global services).
GLOBAL_SERVICES = {"iam", "sts", "organizations"}
READ_ONLY = re.compile(r"^(Get|List|Describe|Lookup|Search|BatchGet|Head|Filter|Query|Scan|Test|Validate|Check)")
# Data events and calls CloudTrail does not log as management events, by service.
DATA_EVENTS = {
    "logs": {"PutLogEvents", "GetLogEvents", "FilterLogEvents", "StartQuery", "GetQueryResults"},
    "kinesis": {"PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "SubscribeToShard"},
    "firehose": {"PutRecord", "PutRecordBatch"},
    "sns": {"Publish", "PublishBatch"},
    "sqs": {"SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility"},
    "dynamodb": {"PutItem", "GetItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "BatchGetItem", "Query", "Scan", "TransactWriteItems", "TransactGetItems"},
    "lambda": {"Invoke", "InvokeAsync"},
    # "Amazon S3 object-level API activity (for example, GetObject, DeleteObject, and PutObject
    # API operations) on buckets and objects in buckets" (CloudTrail User Guide, "Logging data
    # events"): data events, logged only by a trail with data event selectors.
    "s3": {
        "PutObject", "GetObject", "HeadObject", "DeleteObject", "DeleteObjects", "CopyObject",
        "CreateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload",
        "AbortMultipartUpload", "ListParts", "GetObjectAttributes", "RestoreObject", "SelectObjectContent",
        "PutObjectAcl", "GetObjectAcl", "PutObjectTagging", "GetObjectTagging", "DeleteObjectTagging",
        "PutObjectRetention", "GetObjectRetention", "PutObjectLegalHold", "GetObjectLegalHold",
    },
    # STS issues credentials; these calls are read-only management events (not sent to
    # EventBridge: the User Guide's rule that opts in to read-only management events matches
    # AssumeRole).
    "sts": {"AssumeRole", "GetCallerIdentity", "AssumeRoleWithWebIdentity"},
}
# "Events from the following AWS STS APIs are change events, even though they begin with the verb
# Get: GetFederationToken, GetSessionToken" (EventBridge User Guide, "Receiving read-only
# management events from AWS services"; its English text found here breaks off at "For example,
# events from the fo", the rest as its translations give it): recorded and sent as any change.
CHANGES_NAMED_AS_READS = {"sts": {"GetFederationToken", "GetSessionToken"}}


def emit(event: dict[str, Any]) -> None:
    with _lock:
        EVENTS.append(event)


def since(after: int) -> dict[str, Any]:
    from . import account

    account.settle_all()  # a Region whose opt-in finished sends its event now
    with _lock:
        return {"events": EVENTS[after:], "next": len(EVENTS), "failures": list(FAILURES)}


def iso_seconds(at: float | None = None) -> str:
    return datetime.fromtimestamp(at if at is not None else time.time(), tz=timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def service_event(detail_type: str, source: str, account: str, region: str, resources: list[str], detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": iso_seconds(),
        "region": region,
        "resources": resources,
        "detail": detail,
    }


def recorded(service: str, operation: str) -> bool:
    """A management call that changes something: recorded, delivered and sent to EventBridge."""
    if operation in CHANGES_NAMED_AS_READS.get(service, set()):
        return True
    return not READ_ONLY.match(operation) and operation not in DATA_EVENTS.get(service, set())


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _camel(value: Any) -> Any:
    """CloudTrail's spelling of request and response members: the API's names, first letter lower."""
    if isinstance(value, dict):
        return {_lower_first(str(k)): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return None
    if isinstance(value, datetime):
        return value.strftime("%b %d, %Y %I:%M:%S %p")
    return value


def _ec2_request(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """EC2 records newer calls as `<Operation>Request` with list members as {content, tag}
    (e.g. DeleteFlowLogs: {"DeleteFlowLogsRequest": {"FlowLogId": {"content": ..., "tag": 1}}})."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, list):
            member = key[:-1] if key.endswith("s") else key
            items = [{"content": v, "tag": i + 1} for i, v in enumerate(value)]
            out[member] = items[0] if len(items) == 1 else items
        else:
            out[key] = value
    return {f"{operation}Request": out}


# EC2 operations CloudTrail records in the `<Operation>Request` form.
EC2_REQUEST_FORM = {"DeleteFlowLogs", "CreateFlowLogs"}


def request_parameters(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
    if not params:
        return None
    if service == "ec2" and operation in EC2_REQUEST_FORM:
        return _ec2_request(operation, params)
    return _camel(params)  # type: ignore[no-any-return]


def user_identity(caller: Any, account: str) -> dict[str, Any]:
    if caller is None:
        return {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root", "accountId": account}
    if caller.kind == "AssumedRole":
        role = caller.role_arn.split("/")[-1]
        session = caller.arn.split("/")[-1]
        return {
            "type": "AssumedRole",
            "principalId": caller.userid or f"AROALOCAL:{session}",
            "arn": caller.arn,
            "accountId": caller.account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": (caller.userid or "AROALOCAL").split(":")[0],
                    "arn": caller.role_arn,
                    "accountId": caller.account,
                    "userName": role,
                }
            },
        }
    return {
        "type": "IAMUser",
        "principalId": caller.userid or "AIDALOCAL",
        "arn": caller.arn,
        "accountId": caller.account,
        "userName": caller.username or caller.arn.split("/")[-1],
    }


def record_of(
    service: str,
    operation: str,
    region: str,
    account: str,
    caller: Any,
    params: dict[str, Any],
    user_agent: str,
    error: tuple[str, str] | None,
    response: dict[str, Any] | None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": user_identity(caller, account),
        "eventTime": iso_seconds(),
        "eventSource": f"{service if service != 'stepfunctions' else 'states'}.amazonaws.com",
        "eventName": operation,
        "awsRegion": "us-east-1" if service in GLOBAL_SERVICES else region,
        "sourceIPAddress": "127.0.0.1",
        "userAgent": user_agent or "unknown",
    }
    if error:
        record["errorCode"], record["errorMessage"] = error
    record.update(
        {
            "requestParameters": request_parameters(service, operation, params),
            "responseElements": None if error else (_camel(response) if response else None),
            "requestID": str(uuid.uuid4()),
            "eventID": str(uuid.uuid4()),
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": account,
            "eventCategory": "Management",
        }
    )
    return record


def api_call_event(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "AWS API Call via CloudTrail",
        "source": f"aws.{record['eventSource'].split('.')[0]}",
        "account": record["recipientAccountId"],
        "time": record["eventTime"],
        "region": record["awsRegion"],
        "resources": [],
        "detail": record,
    }


# --- trails ------------------------------------------------------------------------------


def logging_trails() -> list[Any]:
    """Every trail that is logging now (in its home Region's backend: moto keeps it there)."""
    from moto.cloudtrail.models import cloudtrail_backends

    out = []
    for account_id in list(cloudtrail_backends.keys()):
        for region in list(cloudtrail_backends[account_id].keys()):
            for trail in list(cloudtrail_backends[account_id][region].trails.values()):
                if trail.status.is_logging:
                    out.append(trail)
    return out


def _covers(trail: Any, account: str, region: str) -> bool:
    from . import organization as org

    if trail.account_id != account and not (
        trail.is_org_trail and org.management_account_of(account) == trail.account_id
    ):
        return False
    return bool(trail.is_multi_region or trail.region_name == region)


def _field_matches(selector: dict[str, Any], value: str | None) -> bool:
    """One advanced field selector's conditions (AdvancedFieldSelector: Equals, StartsWith,
    EndsWith, NotEquals, NotStartsWith, NotEndsWith), all of which must hold. A field the record
    does not have matches no positive condition."""
    if value is None:
        return not any(selector.get(op) for op in ("Equals", "StartsWith", "EndsWith"))
    checks = [
        ("Equals", lambda v: value == v, True),
        ("StartsWith", lambda v: value.startswith(v), True),
        ("EndsWith", lambda v: value.endswith(v), True),
        ("NotEquals", lambda v: value == v, False),
        ("NotStartsWith", lambda v: value.startswith(v), False),
        ("NotEndsWith", lambda v: value.endswith(v), False),
    ]
    for op, test, positive in checks:
        values = selector.get(op)
        if not values:
            continue
        hit = any(test(v) for v in values)
        if hit != positive:
            return False
    return True


def selects(trail: Any, record: dict[str, Any]) -> bool:
    """Whether the trail's selectors log this management event. PutEventSelectors: "When an event
    occurs in your account, CloudTrail evaluates the event selectors or advanced event selectors in
    all trails. For each trail, if the event matches any event selector, the trail processes and
    logs the event. If the event doesn't match any event selector, the trail doesn't log the
    event." A basic selector (EventSelector): IncludeManagementEvents ("By default, the value is
    true"), ReadWriteType ("read-only events, write-only events, or all ... By default, the value
    is All"), ExcludeManagementEventSources (the event sources "from which you do not want
    management events to be logged"). An advanced selector matches when every field selector does
    (AdvancedEventSelector.FieldSelectors; fields eventCategory, readOnly, eventSource, eventName,
    eventType... of the record, readOnly as "true" or "false")."""
    basic, advanced = trail.get_event_selectors()
    if advanced:
        fields = {
            "eventCategory": record.get("eventCategory"),
            "readOnly": str(bool(record.get("readOnly"))).lower(),
            "eventSource": record.get("eventSource"),
            "eventName": record.get("eventName"),
            "eventType": record.get("eventType"),
        }
        return any(
            all(_field_matches(f, fields.get(f.get("Field", ""))) for f in s.get("FieldSelectors") or [])
            for s in advanced
        )
    read_only = bool(record.get("readOnly"))
    for s in basic:
        if s.get("IncludeManagementEvents", True) is False:
            continue
        kind = s.get("ReadWriteType") or "All"
        if (kind == "ReadOnly" and not read_only) or (kind == "WriteOnly" and read_only):
            continue
        if record.get("eventSource") in (s.get("ExcludeManagementEventSources") or []):
            continue
        return True
    return False


def deliver(trails: list[Any], record: dict[str, Any]) -> None:
    """Into the log group of every trail that logs the call (CloudTrail assuming the trail's role):
    "CloudTrail sends only the events that match your trail settings" (CloudTrail User Guide,
    "Sending events to CloudWatch Logs"), its event selectors among them (`selects`)."""
    from moto.logs.models import logs_backends

    from . import iam
    from . import organization as org
    from .cloudtrail import SERVICE_PRINCIPAL as SERVICE
    from .cloudtrail import delivered_to_cloudwatch_logs

    account, region = record["recipientAccountId"], record["awsRegion"]
    cloudtrail_actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    for trail in trails:
        if not trail.cw_log_group_arn or not _covers(trail, account, region) or not selects(trail, record):
            continue
        parts = trail.cw_log_group_arn.replace(":*", "").split(":")
        group_region, group_account, group_name = parts[3], parts[4], parts[6]
        backend = logs_backends[group_account][group_region]
        group = backend.groups.get(group_name)
        stream_name = f"{account}_CloudTrail_{region}"
        if trail.is_org_trail and account != trail.account_id:
            # A member account's events of an organization trail: CloudTrail User Guide, "Role
            # policy document for CloudTrail to use CloudWatch Logs for monitoring", for
            # organization trails the role also grants "log-stream:o-exampleorgid_*" (the stream
            # names the organization, then the account as for any trail).
            stream_name = f"{org.organization_id_of(account)}_{stream_name}"
        try:
            if group is None:
                raise LookupError(f"log group {group_name} does not exist")
            stream_arn = f"arn:aws:logs:{group_region}:{group_account}:log-group:{group_name}:log-stream:{stream_name}"
            source = {"aws:SourceAccount": [trail.account_id], "aws:SourceArn": [trail.arn]}
            # CloudTrail's own use of its role, whether or not the stand-in enforces the caller's
            # IAM (as CreateTrail and UpdateTrail try it: cloudtrail_rules.py).
            needed = ["logs:PutLogEvents"] if stream_name in group.streams else cloudtrail_actions
            refusal = iam.role_refusal(trail.cw_role_arn, needed, stream_arn, SERVICE, source)
            if refusal is not None:
                raise PermissionError(f"CloudTrail could not use {trail.cw_role_arn}: {refusal[1]}")
            if stream_name not in group.streams:
                group.create_log_stream(stream_name)
            # A group under a customer managed key takes the records only if its key policy lets
            # CloudWatch Logs use the key (kms_use.py).
            group.streams[stream_name].put_log_events(
                [{"timestamp": int(time.time() * 1000), "message": json.dumps(record, separators=(",", ":"))}]
            )
        except Exception as err:  # CloudTrail reports it in GetTrailStatus, the call still succeeds
            delivered_to_cloudwatch_logs(trail, str(err) or type(err).__name__)
            continue
        delivered_to_cloudwatch_logs(trail, None)


def after_call(
    status: int,
    body: bytes,
    region: str,
    account: str,
    user_agent: str,
    trails: list[Any],
) -> None:
    """Records the call the current thread just served (validate.py left what it parsed)."""
    call = getattr(CURRENT, "call", None)
    if call is None:
        return
    service, operation_model, params, protocol = call
    operation = operation_model.name
    if not recorded(service, operation):
        return
    error: tuple[str, str] | None = None
    response: dict[str, Any] | None = None
    if status >= 400:
        error = _error_of(body, protocol, status)
    else:
        response = _response_of(operation_model, body, protocol, status)
    record = record_of(
        service, operation, region, account, getattr(CURRENT, "caller", None), params, user_agent, error, response
    )
    deliver(trails, record)
    # "To record events with a detail-type value of AWS API Call via CloudTrail, a CloudTrail trail
    # with logging enabled is required" (EventBridge User Guide, "AWS service events delivered via
    # AWS CloudTrail"): a call no logging trail covers never reaches EventBridge either.
    if any(_covers(trail, record["recipientAccountId"], record["awsRegion"]) for trail in trails):
        emit(api_call_event(record))


def _error_of(body: bytes, protocol: str, status: int) -> tuple[str, str]:
    text = body.decode("utf-8", "replace")
    if protocol in ("json", "rest-json"):
        try:
            doc = json.loads(text or "{}")
            code = str(doc.get("__type") or doc.get("code") or doc.get("Code") or status).split("#")[-1]
            return code, str(doc.get("message") or doc.get("Message") or "")
        except json.JSONDecodeError:
            return str(status), text[:200]
    code = re.search(r"<Code>([^<]+)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    return (code.group(1) if code else str(status)), (message.group(1) if message else "")


def _response_of(operation_model: Any, body: bytes, protocol: str, status: int) -> dict[str, Any] | None:
    """The response as botocore reads it (its output shape), so CloudTrail's names are the API's."""
    if operation_model.output_shape is None or not body:
        return None
    try:
        from botocore.parsers import create_parser

        parsed = create_parser(protocol).parse(
            {"status_code": status, "headers": {}, "body": body}, operation_model.output_shape
        )
    except Exception:
        return None
    parsed.pop("ResponseMetadata", None)
    return parsed or None
