"""schemathesis hooks for the contract run (loaded through schemathesis.toml)."""

import os

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def json_lines(ctx, value):  # type: ignore[no-untyped-def]
    """POST /api/imports takes the JSON Lines file as its body, which is text: a value of
    another type (a negative case) goes out as no body at all, as a text-only client sends."""
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else b""


@schemathesis.hook
def before_call(context, case, kwargs):  # type: ignore[no-untyped-def]
    """The only calls left out: DELETE /api/tokens/{token_id} on the token the run
    authenticates with (revoking it would end the run); they revoke another token instead.
    Done here, just before sending, so that every phase (stateful links too) obeys it."""
    if case.method.upper() != "DELETE" or case.path != "/api/tokens/{token_id}":
        return
    if str((case.path_parameters or {}).get("token_id")) == os.environ["SD_TOKEN_ID"]:
        case.path_parameters = {**case.path_parameters, "token_id": os.environ["SD_OTHER_TOKEN_ID"]}


# POST /api/channels/email/inbound takes the raw message (a binary string in the schema):
# it goes out as bytes, as the built-in serializer of application/octet-stream sends them.
schemathesis.serializer.alias("message/rfc822", "application/octet-stream")
