"""schemathesis hooks for the contract run (loaded through schemathesis.toml)."""

import schemathesis

# POST /api/imports takes the JSON Lines file as its body: sent as text, as a client would.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")
