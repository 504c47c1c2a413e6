"""logwarden's extension of moto: the AWS APIs and behaviours logwarden relies on that moto 5.2
lacks or is lenient about. `install()` registers every part on moto's own backends and url maps;
`server.py` installs it and serves moto's WSGI app. Nothing here is imported by production code.
"""


def install() -> None:
    from . import (
        account,
        cloudtrail,
        cloudtrail_rules,
        cross_account,
        ec2,
        guardduty,
        iam,
        kms_policy,
        kms_use,
        logs,
        logs_rules,
        onboarding,
        organization,
        s3,
    )

    # onboarding wraps guardduty's operations and adds IAM mappings that iam.install() checks;
    # the *_rules modules wrap what logs and cloudtrail installed.
    for part in (organization, guardduty, onboarding, logs, logs_rules, account, ec2, cloudtrail, cloudtrail_rules, cross_account, s3, kms_policy, kms_use, iam):
        part.install()


def extended_operations() -> list[str]:
    """`signing-name:Operation` of every AWS operation whose moto handler the extension replaces
    or adds (compared before and after `install()`), for the conformance guard: each must have a
    conformance test that quotes the AWS text it rests on (test/local/standins/)."""
    import inspect

    from botocore import xform_name
    from moto.core.responses import BaseResponse
    from moto.core.utils import get_service_model

    def handlers() -> dict[type, dict[str, object]]:
        out: dict[type, dict[str, object]] = {}
        stack = list(BaseResponse.__subclasses__())
        while stack:
            cls = stack.pop()
            stack.extend(cls.__subclasses__())
            out[cls] = {k: v for k, v in vars(cls).items() if inspect.isfunction(v) and not k.startswith("_")}
        return out

    import importlib

    from moto.backend_index import backend_url_patterns

    for name in sorted({name for name, _ in backend_url_patterns}):
        try:
            importlib.import_module(f"moto.{name}.responses")
        except ImportError:
            pass
    before = handlers()
    install()
    found: set[str] = set()
    for cls, now in handlers().items():
        changed = [k for k, v in now.items() if before.get(cls, {}).get(k) is not v]
        if not changed:
            continue
        service = cls.__module__.split(".")[1]
        try:
            model = get_service_model(service)
        except Exception:
            continue
        by_method = {xform_name(op): op for op in model.operation_names}
        signing = model.metadata.get("signingName") or model.metadata["endpointPrefix"]
        found.update(f"{signing}:{by_method[k]}" for k in changed if k in by_method)
    return sorted(found)
