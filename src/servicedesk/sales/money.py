"""Money of leads, never converted (a desk has no exchange rates): sums per currency.
The lead report and the campaign report both give their values this way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any


def per_currency(leads: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{currency, amount}] sorted by currency: the sum of these rows' `value_cents` in
    each currency one of them has (a lead worth 0 still names its currency). A row may be
    a lead or a query's per-currency subtotal: the sum is the same."""
    cents: dict[str, int] = defaultdict(int)
    for lead in leads:
        cents[lead["currency"]] += int(lead["value_cents"])
    return [{"currency": code, "amount": cents[code] / 100} for code in sorted(cents)]
