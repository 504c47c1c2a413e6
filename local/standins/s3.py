"""S3 server access logging into a bucket whose ACLs are disabled.

moto's PutBucketLogging requires, at the time of the call, a target bucket policy granting
logging.s3.amazonaws.com or a log-delivery ACL grant. S3 User Guide, "Permissions for log
delivery": "If the destination bucket uses the Bucket owner enforced setting for Object
Ownership, ACLs are disabled and no longer affect permissions. You must update the bucket policy
on the destination bucket to grant access to the logging service principal." The grant is
evaluated when logs are delivered: a CloudFormation stack whose target bucket policy names the
source bucket (`aws:SourceArn`, created after it, as aws-cdk-lib synthesizes it) deploys in AWS.
Here a target bucket with `BucketOwnerEnforced` is accepted as AWS accepts it; any other target
keeps moto's check.
"""
import itertools
import uuid
from datetime import datetime, timezone
from typing import Any


def _owner_enforced(bucket: Any) -> bool:
    rule = getattr(bucket, "ownership_rule", None) or {}
    text = rule if isinstance(rule, str) else str(rule)
    return "BucketOwnerEnforced" in text


def install() -> None:
    from moto.s3.models import FakeBucket

    original = FakeBucket._log_permissions_enabled_policy

    def policy_or_owner_enforced(target_bucket: Any, target_prefix: str | None) -> bool:
        return _owner_enforced(target_bucket) or original(target_bucket, target_prefix)

    FakeBucket._log_permissions_enabled_policy = staticmethod(policy_or_owner_enforced)  # type: ignore[method-assign]
    install_actions()
    install_eventbridge_notifications()
    install_get_object_retention()
    install_object_lock_rules()


def install_get_object_retention() -> None:
    """GetObjectRetention, which moto 5.2 does not implement (its GET ?retention returns the
    object's data). S3 API Reference, GetObjectRetention: "Retrieves an object's retention
    settings", answered as `<Retention><Mode/><RetainUntilDate/></Retention>`; a version without
    retention answers the error NoSuchObjectLockConfiguration ("The specified object does not have
    a ObjectLock configuration", S3 error codes). Authorized as s3:GetObjectRetention
    (KEY_SUBRESOURCE_ACTIONS), read from the version PutObjectRetention or the bucket's default
    retention set."""
    from moto.s3.exceptions import S3ClientError
    from moto.s3.responses import S3Response

    original = S3Response.get_object

    def get_object(self: Any) -> Any:
        if "retention" not in self.querystring:
            return original(self)
        key, _ = self._get_key()
        if not key.lock_mode or not key.lock_until:
            raise S3ClientError(
                "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration"
            )
        headers = {"x-amz-version-id": key.version_id} if key.version_id != "null" else {}
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Mode>{key.lock_mode}</Mode><RetainUntilDate>{key.lock_until}</RetainUntilDate></Retention>"
        )
        return 200, headers, body

    S3Response.get_object = get_object  # type: ignore[method-assign]


def _until(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(timezone.utc)


def retention_refusal(
    current: tuple[str | None, str | None], wanted: tuple[str | None, str | None], bypass: bool, now: datetime
) -> str | None:
    """Why S3 refuses to replace an object version's retention `current` (mode, retain-until)
    by `wanted` (None, None: removing it), or None when it accepts. S3 User Guide, Object Lock,
    "Retention modes" (as the AWS CDK reference quotes it, ObjectLockMode.COMPLIANCE): "When an
    object is locked in compliance mode, its retention mode can't be changed, and its retention
    period can't be shortened"; GOVERNANCE: "With governance mode, you protect objects against
    being deleted by most users, but you can still grant some users permission to alter the
    retention settings or delete the object if necessary", and PutObjectRetention
    (botocore): "Bypassing a Governance Retention configuration requires the
    s3:BypassGovernanceRetention permission" (checked by iam.py when the
    x-amz-bypass-governance-retention header is sent). Extending a retention, or changing
    governance to compliance without shortening it, needs neither. A retention already expired
    no longer protects the version."""
    mode, until = current
    held_until = _until(until)
    if not mode or held_until is None or held_until <= now:
        return None
    new_mode, new_until = wanted[0], _until(wanted[1])
    weakened = new_until is None or new_until < held_until or (mode == "COMPLIANCE" and new_mode != "COMPLIANCE")
    if not weakened or (mode != "COMPLIANCE" and bypass):
        return None
    return "Access Denied because object protected by object lock."


def bypasses_governance(headers: Any) -> bool:
    """Whether a request asks to lift a governance-mode retention (the
    `x-amz-bypass-governance-retention: true` header of DeleteObject(s) and PutObjectRetention)."""
    return str(headers.get("x-amz-bypass-governance-retention") or "").lower() == "true"


LOCKED_VERSIONING = "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."


def install_object_lock_rules() -> None:
    """Object Lock's retention rules, which moto does not keep: its PutObjectRetention overwrites
    any retention (retention_refusal above), and its PutBucketVersioning suspends versioning of a
    bucket with Object Lock. S3 User Guide, "Object Lock considerations": "After you enable
    Object Lock on a bucket, you can't disable Object Lock or suspend versioning for that
    bucket", refused as InvalidBucketState (409, S3 error codes: "The request is not valid with
    the current state of the bucket") with the message above, as S3 answers it. Both refusals of
    a retention change answer AccessDenied (403), as S3 answers a locked version's deletion (AWS
    does not document the code of this refusal; it is the one S3 uses for Object Lock)."""
    from moto.s3.models import S3Backend
    from moto.s3.responses import S3Response

    from .errors import protocol_error

    original_retention = S3Response.put_object_retention

    def put_object_retention(self: Any) -> Any:
        bucket = self.backend.get_bucket(self.bucket_name)
        if bucket.object_lock_enabled:
            key = self.backend.get_object(
                self.bucket_name, self.parse_key_name(), version_id=self._get_param("versionId")
            )
            if key is not None:
                why = retention_refusal(
                    (key.lock_mode, key.lock_until),
                    self._mode_until_from_body(),
                    bypasses_governance(self.headers),
                    datetime.now(timezone.utc),
                )
                if why:
                    raise protocol_error("rest-xml", "AccessDenied", why, 403)
        return original_retention(self)

    S3Response.put_object_retention = put_object_retention  # type: ignore[method-assign]

    original_versioning = S3Backend.put_bucket_versioning

    def put_bucket_versioning(self: Any, bucket_name: str, status: str) -> None:
        if self.get_bucket(bucket_name).object_lock_enabled and status != "Enabled":
            raise protocol_error("rest-xml", "InvalidBucketState", LOCKED_VERSIONING, 409)
        original_versioning(self, bucket_name, status)

    S3Backend.put_bucket_versioning = put_bucket_versioning  # type: ignore[method-assign]

    original_policy = S3Backend.put_bucket_policy

    def put_bucket_policy(self: Any, bucket_name: str, policy: bytes) -> None:
        refuse_invalid_principals(policy)
        original_policy(self, bucket_name, policy)

    S3Backend.put_bucket_policy = put_bucket_policy  # type: ignore[method-assign]


def refuse_invalid_principals(text: bytes | str) -> None:
    """A bucket policy naming an IAM role or user that does not exist is refused. AWS Knowledge
    Center, "s3-invalid-principal-in-policy-error": "You receive the Error: Invalid principal in
    policy message when the value of a Principal in your bucket policy isn't valid ... If the
    Principal is an AWS Identity and Access Management (IAM) user or role, then confirm that the
    user or role wasn't deleted", answered as MalformedPolicy (400)."""
    import json

    from . import iam
    from .errors import protocol_error

    try:
        document = json.loads(text)
    except ValueError:
        return  # moto answers a document that is not JSON itself
    for st in iam.statements_of(document):
        for value in iam.aws_principals(st):
            if isinstance(value, str) and not iam.identity_exists(value):
                raise protocol_error("rest-xml", "MalformedPolicy", "Invalid principal in policy", 400)


_sequencer = itertools.count(1)
_CREATED_REASONS = {
    "Put": "PutObject",
    "Post": "POST Object",
    "Copy": "CopyObject",
    "CompleteMultipartUpload": "CompleteMultipartUpload",
}


def install_eventbridge_notifications() -> None:
    """S3's events to EventBridge, emitted where AWS emits them. moto hands them to its own
    EventBridge rules only; the local world routes events by the deployed rules
    (local/event-bus.ts), so here a bucket with EventBridge notifications enabled emits each event
    as the stand-in's other service events are emitted (events.py), read back and put on the
    default bus of the bucket's account and Region. Amazon S3 User Guide, "Using EventBridge":
    "Amazon S3 can send events to Amazon EventBridge whenever certain events happen in your
    bucket"; "EventBridge event message structure": detail-type "Object Created", source
    "aws.s3", resources the bucket's ARN, detail with version, bucket.name, object.key, size,
    etag, version-id, sequencer, request-id, requester, reason. The requester here is the
    bucket's account (moto does not pass the caller down to notifications): no rule of logwarden
    matches on it."""
    from moto.s3 import notifications

    from standins import events

    def emit_to_eventbridge(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
        # Objects created and removed only: moto also notifies a tagging event on every PutObject
        # (its _detail_type names any other event "Object Tags Added"), which S3 does not send for
        # an object put without tags; no rule of logwarden matches the other event types.
        if not event_name.startswith(("s3:ObjectCreated:", "s3:ObjectRemoved:")):
            return
        detail_type = notifications._detail_type(event_name)
        detail: dict[str, Any] = {
            "version": "0",
            "bucket": {"name": bucket.name},
            "object": {
                "key": key.name,
                "size": key.size,
                "etag": key.etag.replace('"', ""),
                # A versioned bucket's objects carry their version (moto names none "null").
                **({"version-id": key.version_id} if getattr(key, "version_id", None) not in (None, "null") else {}),
                "sequencer": f"{next(_sequencer):016X}",
            },
            "request-id": str(uuid.uuid4()).replace("-", "")[:16].upper(),
            "requester": account_id,
            # "reason": "PutObject, POST Object, CopyObject, or CompleteMultipartUpload" (ibid.).
            "reason": _CREATED_REASONS.get(event_name.split(":")[-1], event_name.split(":")[-1]),
        }
        events.emit(
            events.service_event(detail_type, "aws.s3", account_id, bucket.region_name, [bucket.arn], detail)
        )

    notifications._send_event_bridge_message = emit_to_eventbridge  # type: ignore[assignment]


# moto names a bucket request by its sub-resource (ACTION_MAP); these are missing there, so moto
# names them CreateBucket / ListBucket / DeleteBucket and IAM would authorize them as such. The
# actions are those of the Service Authorization Reference, "Actions defined by Amazon S3"
# (e.g. PutObjectLockConfiguration: s3:PutBucketObjectLockConfiguration; PutBucketEncryption and
# DeleteBucketEncryption: s3:PutEncryptionConfiguration; PutBucketReplication and
# DeleteBucketReplication: s3:PutReplicationConfiguration, GetBucketReplication:
# s3:GetReplicationConfiguration). moto's own key for the public access
# block (`public_access_block`) is not the query string S3 uses (`publicAccessBlock`).
BUCKET_SUBRESOURCE_ACTIONS = {
    "GET": {
        "object-lock": "GetBucketObjectLockConfiguration",
        "encryption": "GetEncryptionConfiguration",
        "ownershipControls": "GetBucketOwnershipControls",
        "publicAccessBlock": "GetBucketPublicAccessBlock",
        "replication": "GetReplicationConfiguration",
    },
    "PUT": {
        "object-lock": "PutBucketObjectLockConfiguration",
        "encryption": "PutEncryptionConfiguration",
        "ownershipControls": "PutBucketOwnershipControls",
        "publicAccessBlock": "PutBucketPublicAccessBlock",
        "replication": "PutReplicationConfiguration",
    },
    "DELETE": {
        "encryption": "PutEncryptionConfiguration",
        "ownershipControls": "PutBucketOwnershipControls",
        "publicAccessBlock": "PutBucketPublicAccessBlock",
        "replication": "PutReplicationConfiguration",
    },
}


# The same for an object's Object Lock sub-resources, which moto names GetObject / GetObjectVersion
# / PutObject: GetObjectRetention is s3:GetObjectRetention, PutObjectRetention
# s3:PutObjectRetention, Get/PutObjectLegalHold s3:Get/PutObjectLegalHold (Service Authorization
# Reference, "Actions defined by Amazon S3"), with or without a versionId. moto takes the last
# matching sub-resource of its map, so these, added after `versionId`, win over it.
KEY_SUBRESOURCE_ACTIONS = {
    "GET": {"retention": "GetObjectRetention", "legal-hold": "GetObjectLegalHold"},
    "PUT": {"retention": "PutObjectRetention", "legal-hold": "PutObjectLegalHold"},
}


def install_actions() -> None:
    from moto.s3.responses import ACTION_MAP

    for method, actions in BUCKET_SUBRESOURCE_ACTIONS.items():
        ACTION_MAP["BUCKET"][method].update(actions)
    for method, actions in KEY_SUBRESOURCE_ACTIONS.items():
        ACTION_MAP["KEY"][method].update(actions)
