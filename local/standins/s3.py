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
    install_actions()


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


def install_actions() -> None:
    from moto.s3.responses import ACTION_MAP

    for method, actions in BUCKET_SUBRESOURCE_ACTIONS.items():
        ACTION_MAP["BUCKET"][method].update(actions)
