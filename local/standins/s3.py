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
