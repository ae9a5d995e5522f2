"""Two things moto's IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT, /moto-api/reset-auth) lacks for
a test that runs deployed code under the permissions its role grants:

1. It authorises Secrets Manager calls against the resource "*", so a statement on the secret's ARN,
   the only kind a least-privilege role has, never matches and every call is denied. AWS authorises
   them against the secret's ARN; this gives moto's Secrets Manager that resource.
2. A denial says "Access Denied" (S3) or names the action in an error the caller may swallow. Every
   decision is written to stderr as one line, `moto-iam-decision {"principal", "action",
   "resource", "allowed", "context"}`, for the harness (test/support/moto-with-enforced-iam.ts) to
   report which calls were made and which action was refused.

What moto still does not evaluate: statement conditions. It passes no request context to an
identity policy and knows only StringEquals, so `s3:prefix` on s3:ListBucket never restricts. The
decision carries the condition keys the request gives (`s3:prefix` of a listing, `s3:if-none-match`
of a write), and the harness evaluates the conditions of the statements that allowed it, and of the
bucket policy's.

Loaded into the moto server that harness starts, before moto's own server code; its test checks
that a grant on one secret reads that secret and is refused another.
"""

import json
import sys
from urllib.parse import parse_qs, urlparse

import moto
from moto.iam.access_control import IAMRequestBase
from moto.secretsmanager.responses import SecretsManagerResponse

PINNED_MOTO = "5.2.5"
if moto.__version__ != PINNED_MOTO:
    raise RuntimeError(
        f"test/support/moto/iam_enforcement.py was written for moto {PINNED_MOTO}, not {moto.__version__}: "
        "check whether moto now authorises Secrets Manager calls against the secret's ARN, then update or remove this file"
    )

DECISION_MARKER = "moto-iam-decision "


def _secret_resource(self):
    secret_id = self._get_param("SecretId")
    if not secret_id:
        return "*"
    secret = self.backend.secrets.get(secret_id)
    if secret is not None:
        return str(secret.arn)
    # A secret that does not exist is authorised against the ARN its name would have (AWS then
    # answers ResourceNotFound to a caller allowed to ask, AccessDenied to one who is not).
    if secret_id.startswith("arn:"):
        return secret_id
    return f"arn:aws:secretsmanager:{self.region}:{self.current_account}:secret:{secret_id}"


SecretsManagerResponse._determine_resource = _secret_resource

_check_action_permitted = IAMRequestBase.check_action_permitted


def _request_context(request):
    context = {}
    if request._action == "s3:ListBucket":
        prefix = parse_qs(urlparse(request._path).query, keep_blank_values=True).get("prefix")
        if prefix:
            context["s3:prefix"] = prefix[0]
    if request._action == "s3:PutObject":
        # What a bucket policy requiring conditional writes reads (s3:if-none-match).
        if_none_match = request._headers.get("If-None-Match")
        if if_none_match is not None:
            context["s3:if-none-match"] = if_none_match
    return context


def _report(request, resource, allowed):
    decision = {
        "principal": request._access_key.arn,
        "action": request._action,
        "resource": resource,
        "allowed": allowed,
        "context": _request_context(request),
    }
    sys.stderr.write(DECISION_MARKER + json.dumps(decision) + "\n")
    sys.stderr.flush()


def _checked_and_reported(self, resource):
    try:
        _check_action_permitted(self, resource)
    except BaseException:
        _report(self, resource, False)
        raise
    _report(self, resource, True)


IAMRequestBase.check_action_permitted = _checked_and_reported
