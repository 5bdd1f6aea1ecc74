"""Sandboxed Jinja2 for the texts of rule actions (notes, emails, follow-ups).

Templates see `ticket`, `customer`, `agent` (the assignee), `survey` and `lead`, always
with the same keys (None when the event has no survey, the ticket no assignee), so a
template that renders against SAMPLE at save time renders live too, unless it does
arithmetic on a None."""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from servicedesk.errors import Invalid

MAX_TEMPLATE = 20_000

_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)

SAMPLE: dict[str, Any] = {
    "ticket": {
        "id": 1,
        "subject": "Refund for order 1042",
        "status": "solved",
        "priority": "normal",
        "channel": "email",
        "tags": ["refund"],
        "assignee": "agent@desk.example",
        "team": "Support",
        "url": "http://127.0.0.1:8000/tickets/1",
    },
    "customer": {"id": 1, "name": "Ann Example", "email": "ann@mail.example"},
    "agent": {"id": 1, "name": "Alice Agent", "email": "agent@desk.example"},
    "survey": {"kind": "csat", "rating": 2, "comment": "Slow answer"},
    "lead": {"id": 1, "stage": "qualified", "value": 1200.0},
}


@functools.lru_cache(maxsize=512)
def _template(source: str) -> Template:
    return _env.from_string(source)


def render(source: str, variables: dict[str, Any]) -> str:
    return _template(source).render(**variables)


def check_template(source: str, field: str) -> None:
    """Refuses a template that does not compile or render against the sample variables."""
    if len(source) > MAX_TEMPLATE:
        raise Invalid(f"a template is at most {MAX_TEMPLATE} characters", field=field)
    try:
        render(source, SAMPLE)
    except TemplateError as exc:
        raise Invalid(f"the template does not render: {exc}", field=field) from exc
    except Exception as exc:  # noqa: BLE001 - any failure of a user's template is theirs
        raise Invalid(f"the template does not render: {exc}", field=field) from exc
