"""Campaign subject and body: sandboxed Jinja2 over `customer`."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from servicedesk.errors import Invalid

# What a template may name: {{ customer.first_name }}, {{ customer.company }}, ...
SAMPLE_CUSTOMER = {
    "id": 0,
    "name": "Ada Lovelace",
    "first_name": "Ada",
    "email": "ada@example.com",
    "company": "Analytical Engines",
    "tags": ["vip"],
}
_environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def customer_context(row: dict[str, Any]) -> dict[str, Any]:
    name = str(row.get("name") or "")
    tags = row.get("tags") or []
    if isinstance(tags, str):  # raw SQL reads JSON columns as text
        tags = json.loads(tags)
    return {
        "id": row["id"],
        "name": name,
        "first_name": name.split()[0] if name.split() else "",
        "email": row.get("email") or "",
        "company": row.get("company") or "",
        "tags": list(tags),
    }


@lru_cache(maxsize=64)
def _compiled(text: str, field: str) -> Template:
    try:
        return _environment.from_string(text)
    except TemplateError as exc:
        raise Invalid(f"the {field} template does not parse: {exc}", field=field) from exc


def render(text: str, customer: dict[str, Any], *, field: str) -> str:
    """The template rendered for one customer; a template that cannot render (a syntax
    error, an unknown name, something the sandbox forbids) is a 422 naming `field`."""
    try:
        return _compiled(text, field).render(customer=customer)
    except SecurityError as exc:
        raise Invalid(
            f"the {field} template does something not allowed: {exc}", field=field
        ) from exc
    except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        raise Invalid(f"the {field} template does not render: {exc}", field=field) from exc


SUBJECT_LENGTH = 400  # what outbox_message.subject keeps


def subject_line(text: str, customer: dict[str, Any], *, prefix: str = "") -> str:
    """The rendered subject as an email carries it: on one line, cut to what the outbox
    keeps (a 400-character template may render longer, and "[Test] " adds to it)."""
    rendered = " ".join(render(text, customer, field="subject").split())
    return (prefix + rendered)[:SUBJECT_LENGTH]


def check(subject: str, body: str) -> None:
    """Refuses templates that do not render for a sample customer."""
    render(subject, SAMPLE_CUSTOMER, field="subject")
    render(body, SAMPLE_CUSTOMER, field="body")
