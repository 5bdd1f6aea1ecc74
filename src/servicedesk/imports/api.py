"""POST /api/imports: the history import over HTTP (admin)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.params import QueryParameter

from servicedesk.accounts.guards import requires_admin
from servicedesk.contract import JsonLinesBody
from servicedesk.errors import Invalid

from .service import import_file

MAX_IMPORT_BYTES = 200 * 1024 * 1024


class ImportController(Controller):
    path = "/api/imports"
    tags = ["imports"]
    guards = [requires_admin]

    @post(
        "/",
        request_max_body_size=MAX_IMPORT_BYTES,
        operation_class=JsonLinesBody,
        opt={"body": True},
        summary="Import a JSON Lines history (the request body is the file)",
        description="Send the file as the raw body (Content-Type: application/x-ndjson). "
        "Nothing is imported if any line is bad, unless skip_invalid=true. "
        "201 with the report when lines were imported, 422 with the line-numbered errors otherwise.",
    )
    async def import_history(
        self,
        request: Request,
        skip_invalid: Annotated[bool, QueryParameter(name="skip_invalid")] = False,
    ) -> Response[dict[str, Any]]:
        with tempfile.TemporaryDirectory(prefix="servicedesk-import-") as folder:
            path = Path(folder) / "history.jsonl"
            size = 0
            with path.open("wb") as out:
                async for chunk in request.stream():
                    size += len(chunk)
                    out.write(chunk)
            if size == 0:
                raise Invalid(
                    "the request body is empty; send the JSON Lines file as the body", field="body"
                )
            report = await import_file(path, skip_invalid=skip_invalid)
        body = report.as_dict()
        rejected_all = bool(report.rejected) and not skip_invalid
        status = 422 if rejected_all else 201
        if rejected_all:
            body = {
                "type": "about:blank",
                "title": "Invalid import",
                "status": 422,
                "detail": f"{len(report.rejected)} bad line(s); nothing was imported",
                "errors": [
                    {"field": f"line {r['line']}", "message": r["reason"]} for r in report.rejected
                ],
                **body,
            }
            return Response(body, status_code=status, media_type="application/problem+json")
        return Response(body, status_code=status)
