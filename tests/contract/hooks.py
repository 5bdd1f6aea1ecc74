"""schemathesis hooks for the contract run (loaded through schemathesis.toml)."""

import os

import schemathesis

# POST /api/imports takes the JSON Lines file as its body: sent as text, as a client would.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")


@schemathesis.hook("filter_path_parameters")
def keep_the_runs_own_token(ctx, path_parameters):  # type: ignore[no-untyped-def]
    """The only calls left out: DELETE /api/tokens/{token_id} on the token the run
    authenticates with (revoking it would end the run)."""
    token_id = (path_parameters or {}).get("token_id")
    return str(token_id) != os.environ["SD_TOKEN_ID"]
