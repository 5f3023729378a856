"""S3: bucket policies without their TLS-only denies (evaluated by install_moto_patches) and lifecycle rules'
NewerNoncurrentVersions (see the package docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations


# --- S3 ----------------------------------------------------------------------------------------------------


def _denies_only_insecure_transport(statement: dict) -> bool:
    condition = statement.get("Condition") or {}
    return (
        statement.get("Effect") == "Deny"
        and list(condition) == ["Bool"]
        and {k.lower(): str(v).lower() for k, v in condition["Bool"].items()} == {"aws:securetransport": "false"}
    )


# --- S3 lifecycle ------------------------------------------------------------------------------------------


def patch_s3_lifecycle_newer_noncurrent_versions() -> None:
    """A lifecycle rule's NoncurrentVersionExpiration may say how many newer noncurrent versions to keep
    (NewerNoncurrentVersions) besides the age. moto 5 stores only NoncurrentDays and leaves the count out of
    GetBucketLifecycleConfiguration, so Terraform's aws_s3_bucket_lifecycle_configuration, which waits
    until S3 returns the rules it put, timed out after 3 minutes ("While waiting: timeout while waiting for
    state to become 'true'"). Keep the count on moto's rule and return it as S3 does."""
    from moto.s3.models import FakeBucket
    from moto.s3.responses import S3Response

    if getattr(FakeBucket, "shipyard_lifecycle_patched", False):
        return
    original_set_lifecycle = FakeBucket.set_lifecycle
    original_get_bucket_lifecycle = S3Response.get_bucket_lifecycle

    def set_lifecycle(self, rules):
        original_set_lifecycle(self, rules)
        for given, rule in zip(rules, self.rules):
            expiration = given.get("NoncurrentVersionExpiration") or {}
            rule.shipyard_newer_noncurrent_versions = expiration.get("NewerNoncurrentVersions")

    def get_bucket_lifecycle(self):
        rules = list(self.backend.get_bucket_lifecycle(self.bucket_name) or [])
        serialized = self.serialized

        def add_newer_noncurrent_versions(action_result):
            # moto answers the rules in the order it keeps them.
            for answered, rule in zip(action_result.result.get("Rules", []), rules):
                newer = getattr(rule, "shipyard_newer_noncurrent_versions", None)
                if newer is not None and "NoncurrentVersionExpiration" in answered:
                    answered["NoncurrentVersionExpiration"]["NewerNoncurrentVersions"] = int(newer)
            return serialized(action_result)

        self.serialized = add_newer_noncurrent_versions
        try:
            return original_get_bucket_lifecycle(self)
        finally:
            del self.serialized

    FakeBucket.set_lifecycle = set_lifecycle
    S3Response.get_bucket_lifecycle = get_bucket_lifecycle
    FakeBucket.shipyard_lifecycle_patched = True
