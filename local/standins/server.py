"""logwarden's moto server: moto 5.2 (pinned in scripts/requirements-tools.txt) with the
extension of this package installed, plus a few endpoints for the local world's own set-up
under `/logwarden-standins/` (what no AWS API does: the platform handing a service its role).

    .venv/bin/python local/standins/server.py -H 127.0.0.1 -p 5000 [--iam] [--root-access-key K]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from typing import Any, Callable, Iterable

# Import this package as `standins` from local/, never its modules from the script's own folder.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.dirname(_here))

from werkzeug.serving import run_simple  # noqa: E402

import standins  # noqa: E402
from standins import events, iam, kms_use, policy, sigv4, validate  # noqa: E402


def _json_response(start_response: Callable[..., Any], status: int, body: Any) -> Iterable[bytes]:
    data = json.dumps(body).encode("utf-8")
    reasons = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found"}
    start_response(
        f"{status} {reasons.get(status, 'Error')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]


def set_iam(body: dict[str, Any]) -> dict[str, Any]:
    iam.SETTINGS["enforce"] = bool(body.get("enforce"))
    return {"enforce": iam.SETTINGS["enforce"]}


def service_credentials(body: dict[str, Any]) -> dict[str, Any]:
    """Credentials of `roleArn` as the AWS service `service` (lambda.amazonaws.com,
    states.amazonaws.com, firehose.amazonaws.com ...) obtains them for a function, workflow or
    delivery stream: only if the role exists and its trust policy allows that service to assume
    it, with the request's `aws:SourceAccount` / `aws:SourceArn` when given."""
    from moto.sts.models import sts_backends

    role_arn = str(body["roleArn"])
    service = str(body["service"])
    found = iam._role_trust(role_arn)
    if found is None:
        raise PermissionError(f"role {role_arn} does not exist")
    caller = policy.Caller(account="", arn=service, service=service)
    # What the service's request carries about its source (a Firehose stream's account, ...),
    # which confused-deputy conditions of the trust policy test.
    context: dict[str, list[str]] = {}
    if body.get("sourceAccount"):
        context["aws:SourceAccount"] = [str(body["sourceAccount"])]
    if body.get("sourceArn"):
        context["aws:SourceArn"] = [str(body["sourceArn"])]
    decision = policy.evaluate([found[1]], "sts:AssumeRole", role_arn, context, caller)
    if decision.effect != policy.ALLOW:
        raise PermissionError(f"the trust policy of {role_arn} does not allow {service}")
    account = role_arn.split(":")[4]
    role = sts_backends[account]["aws"].assume_role(
        region_name="us-east-1",
        role_session_name=str(body.get("sessionName") or service.split(".")[0]),
        role_arn=role_arn,
        policy="",
        duration=3600,
        external_id="",
    )
    return {
        "accessKeyId": role.access_key_id,
        "secretAccessKey": role.secret_access_key,
        "sessionToken": role.session_token,
    }


def service_authorize(body: dict[str, Any]) -> dict[str, Any]:
    """What a service does with a role on a resource, decided as AWS decides it: EventBridge
    sending a rule's matched event to an event bus of another account as the rule target's role
    (EventBridge User Guide, "Sending and receiving events between AWS accounts": the target's
    `RoleArn`, which EventBridge assumes, needs `events:PutEvents` on the receiving bus, and the
    receiving bus's resource-based policy must allow it). The role's trust must let `service` in
    (with `aws:SourceAccount` / `aws:SourceArn` of the rule), then `action` on `resource` is
    evaluated for the role's session: its identity policies, and across accounts the resource's
    policy too (iam.authorize). Refused: 403, the refusal listed with the denials."""
    role_arn = str(body["roleArn"])
    service = str(body["service"])
    found = iam._role_trust(role_arn)
    if found is None:
        raise PermissionError(f"role {role_arn} does not exist")
    context: dict[str, list[str]] = {}
    if body.get("sourceAccount"):
        context["aws:SourceAccount"] = [str(body["sourceAccount"])]
    if body.get("sourceArn"):
        context["aws:SourceArn"] = [str(body["sourceArn"])]
    as_service = policy.Caller(account="", arn=service, service=service)
    if policy.evaluate([found[1]], "sts:AssumeRole", role_arn, context, as_service).effect != policy.ALLOW:
        raise PermissionError(f"the trust policy of {role_arn} does not allow {service}")
    role = found[0]
    docs: list[Any] = list(role.policies.values())
    for managed in getattr(role, "managed_policies", {}).values():
        docs.append(next(v.document for v in managed.versions if v.is_default))
    account = role_arn.split(":")[4]
    session = f"arn:aws:sts::{account}:assumed-role/{role_arn.split('/')[-1]}/{service.split('.')[0]}"
    caller = policy.Caller(
        account=account, arn=session, principal_arns=[role_arn, session], kind="AssumedRole", role_arn=role_arn
    )
    action, resource = str(body["action"]), str(body["resource"])
    message = iam.authorize(caller, docs, [(action, resource)], str(body.get("region") or "us-east-1"))
    if message:
        iam.DENIALS.append(
            {"action": action, "caller": session, "code": "AccessDenied", "message": message, "at": iam._now_ms()}
        )
        raise PermissionError(message)
    return {"allowed": True}


def service_send_message(body: dict[str, Any]) -> dict[str, Any]:
    """EventBridge delivering a rule's matched event to an SQS queue target: no role is used (the
    target has none); the queue's own policy must let the service principal send. EventBridge
    User Guide, "Using resource-based policies for Amazon EventBridge", Amazon SQS permissions:
    "To allow EventBridge to send events to an Amazon SQS queue, the queue's resource-based policy
    must allow events.amazonaws.com sqs:SendMessage", with `aws:SourceArn` the rule's ARN. The
    policy is evaluated for `service` with the rule's `aws:SourceArn` and `aws:SourceAccount`;
    allowed, the message (the event's JSON) is sent into the queue. Refused: 403, listed with the
    denials.

    A queue encrypted with a customer managed key also needs its key policy to let the service
    use the key as itself (SQS Developer Guide, "Key management", "Configure KMS permissions for
    AWS services": "To allow these event sources to work with encrypted queues, you must create a
    customer managed KMS key and add permissions in the key policy for the service to use the
    required AWS KMS API methods", kms:GenerateDataKey and kms:Decrypt for
    `<service>.amazonaws.com`; "Configure KMS permissions with confused deputy protection":
    CloudWatch Events sends `aws:SourceArn`). Refused, nothing is sent (`kms_use.require_service`)."""
    from moto.sqs.models import sqs_backends

    queue_arn = str(body["queueArn"])
    service = str(body["service"])
    _, _, _, region, account, name = queue_arn.split(":")
    backend = sqs_backends[account][region]
    try:
        queue = backend.get_queue(name)
    except Exception as err:  # moto's QueueDoesNotExist
        raise PermissionError(f"queue {queue_arn} does not exist ({err})") from err
    context: dict[str, list[str]] = {}
    if body.get("sourceAccount"):
        context["aws:SourceAccount"] = [str(body["sourceAccount"])]
    if body.get("sourceArn"):
        context["aws:SourceArn"] = [str(body["sourceArn"])]
    caller = policy.Caller(account="", arn=service, service=service)
    docs = [queue.policy] if queue.policy else []
    if policy.evaluate(docs, "sqs:SendMessage", queue_arn, context, caller).effect != policy.ALLOW:
        message = f"the policy of {queue_arn} does not allow {service} sqs:SendMessage from {body.get('sourceArn')}"
        iam.DENIALS.append(
            {"action": "sqs:SendMessage", "caller": service, "code": "AccessDenied", "message": message, "at": iam._now_ms()}
        )
        raise PermissionError(message)
    key_id = getattr(queue, "kms_master_key_id", None)
    if key_id and not kms_use.aws_managed(key_id) and iam.SETTINGS["enforce"]:
        try:
            for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                kms_use.require_service(
                    service, action, key_id, account, region, kms_use.SQS_ENCRYPTION_CONTEXT, context
                )
        except kms_use.KeyRefused as err:
            raise PermissionError(f"{queue_arn} is encrypted with {key_id}: {err}") from err
    sent = backend.send_message(name, str(body["messageBody"]))
    return {"messageId": sent.id}


def organization_account(body: dict[str, Any]) -> dict[str, Any]:
    """Adds an account with a chosen id to the organization of `managementAccount` (moto's
    CreateAccount draws a random id; the local world names its accounts)."""
    from moto.organizations import utils
    from moto.organizations.models import organizations_backends

    management = str(body["managementAccount"])
    account_id = str(body["accountId"])
    backend = organizations_backends[management]["aws"]
    original = utils.make_random_account_id
    utils.make_random_account_id = lambda: account_id  # type: ignore[assignment]
    try:
        status = backend.create_account(
            AccountName=str(body.get("name") or account_id), Email=str(body["email"])
        )
    finally:
        utils.make_random_account_id = original  # type: ignore[assignment]
    return {"accountId": account_id, "state": status["CreateAccountStatus"]["State"]}


def execution_ended(body: dict[str, Any]) -> dict[str, Any]:
    """Closes an execution of the stand-in's Step Functions the way the service does when its
    workflow reaches the end: the local world runs the workflow (local/control-plane.ts) and
    reports here how it ended. Without this moto keeps every execution RUNNING for ever, and a
    name reused after its execution closed would look coalesced with a running one; AWS says of
    StartExecution: "If the execution is closed or if the input is different, it returns a 400
    ExecutionAlreadyExists error" (Step Functions API Reference, StartExecution)."""
    from moto.core.utils import utcnow
    from moto.stepfunctions.models import stepfunctions_backends

    execution_arn = str(body["executionArn"])
    status = str(body["status"])
    if status not in ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"):
        raise ValueError(f"status {status!r} is not a closed execution status")
    parts = execution_arn.split(":")
    backend = stepfunctions_backends[parts[4]][parts[3]]
    try:
        execution = backend.describe_execution(execution_arn)
    except Exception as err:  # moto's ExecutionDoesNotExist / InvalidArn
        raise ValueError(str(err)) from err
    if execution.status != "RUNNING":
        raise ValueError(f"execution {execution_arn} is already {execution.status}")
    execution.status = status
    execution.stop_date = utcnow()
    if body.get("output") is not None:
        execution.output = json.dumps(body["output"])
    return {"executionArn": execution_arn, "status": status}


ROUTES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "/logwarden-standins/iam": set_iam,
    "/logwarden-standins/service-credentials": service_credentials,
    "/logwarden-standins/organization-account": organization_account,
    "/logwarden-standins/service-authorize": service_authorize,
    "/logwarden-standins/service-send-message": service_send_message,
    "/logwarden-standins/execution-ended": execution_ended,
    # The OpenSearch domain's signing gateway asks who signed a request (local/standins/sigv4.py).
    "/logwarden-standins/sigv4": sigv4.verify,
}


class App:
    def __init__(self, moto_app: Any):
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path in ROUTES:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = json.loads(environ["wsgi.input"].read(length) or b"{}")
                return _json_response(start_response, 200, ROUTES[path](body))
            except PermissionError as err:
                return _json_response(start_response, 403, {"message": str(err)})
            except (KeyError, ValueError, TypeError) as err:
                return _json_response(start_response, 400, {"message": f"bad request: {err!r}"})
        if path == "/logwarden-standins/events":
            from urllib.parse import parse_qs

            after = int((parse_qs(environ.get("QUERY_STRING") or "").get("after") or ["0"])[0])
            return _json_response(start_response, 200, events.since(after))
        if path == "/logwarden-standins/deliveries":
            from standins import logs

            return _json_response(start_response, 200, {"failures": logs.DELIVERY_FAILURES})
        if path == "/logwarden-standins/denials":
            return _json_response(start_response, 200, {"denials": iam.DENIALS})
        if path == "/logwarden-standins/health":
            return _json_response(start_response, 200, {"iam": iam.SETTINGS["enforce"]})
        if path == "/logwarden-standins/validation":
            return _json_response(start_response, 200, validate.report())
        # Every AWS API request is checked against its botocore model first (validate.py).
        refused = validate.check(environ)
        if refused is not None:
            return refused(environ, start_response)
        call = events.CURRENT.call
        if call is None or not events.recorded(call[0], call[1].name):
            return self.moto_app(environ, start_response)
        return self.recorded(environ, start_response)

    def recorded(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """A call CloudTrail records (events.py): served by moto, then recorded, delivered to the
        trails that log it and sent to EventBridge. The trails are those logging when the call
        arrived, so a StopLogging is logged by the trail it stops."""
        trails = events.logging_trails()
        answered: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered["status"], answered["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = b"".join(self.moto_app(environ, capture))
        scope = (environ.get("HTTP_AUTHORIZATION") or "").partition("Credential=")[2].partition(",")[0].split("/")
        caller = getattr(events.CURRENT, "caller", None)
        if caller is not None:
            account = caller.account
        else:
            from moto.iam.models import get_account_id_from

            account = get_account_id_from(scope[0])
        try:
            events.after_call(
                int(str(answered.get("status", "500")).split()[0]),
                body,
                scope[2] if len(scope) > 2 else "us-east-1",
                account,
                environ.get("HTTP_USER_AGENT") or "",
                trails,
            )
        except Exception as err:  # recording never changes the answer the caller got
            events.FAILURES.append(f"{err!r}")
        return [body]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    parser.add_argument("--iam", action="store_true", help="enforce IAM from the first request")
    parser.add_argument("--root-access-key", action="append", default=[])
    parser.add_argument(
        "--extended-operations",
        action="store_true",
        help="print the operations whose moto handler the extension replaces, as JSON, and exit",
    )
    args = parser.parse_args(argv)
    if args.extended_operations:
        print(json.dumps(standins.extended_operations()))
        return
    os.environ.setdefault("MOTO_PORT", str(args.port))
    # AWS managed policies (AWSLambdaBasicExecutionRole ...) exist in every account, as in AWS,
    # so the templates' ManagedPolicyArns attach and are evaluated.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

    standins.install()
    if args.iam:
        iam.SETTINGS["enforce"] = True
    if args.root_access_key:
        iam.SETTINGS["root_keys"] = set(args.root_access_key)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = App(DomainDispatcherApplication(create_backend_app))
    run_simple(
        args.host,
        args.port,
        app,
        threaded=True,
        use_reloader=False,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
