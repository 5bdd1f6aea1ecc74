"""Reports as tables a person reads in a terminal (`servicedesk report KIND --format table`).

Rates are percents, durations hours or minutes with the unit in the header, 95 % intervals
are written `38–44 %`, and rows too small to rank on are marked. Each kind of report has a
set of named columns; a default few fit 100 columns, `--columns` picks others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from servicedesk.errors import Invalid

LOW_SAMPLE_MARK = "*"
NONE = "–"


@dataclass(frozen=True)
class Column:
    """A table column: its header, and its cell of a report row (business: the business-hours
    figure where the column has one)."""

    header: str
    cell: Callable[[dict[str, Any], bool], str]


def _number(value: float | None, digits: int = 1) -> str:
    return NONE if value is None else f"{value:.{digits}f}"


def _percent(rate: float | None) -> str:
    """A fraction as a percent (FCR, reopen and response rates)."""
    return NONE if rate is None else f"{100 * rate:.1f}"


def _interval(ci: Sequence[float] | None, scale: float) -> str:
    """A 95 % interval in whole percents, `38–44 %` (scale 100 for fractions, 1 for percents)."""
    if ci is None:
        return NONE
    return f"{ci[0] * scale:.0f}–{ci[1] * scale:.0f} %"


def _hours(key: str) -> Callable[[dict[str, Any], bool], str]:
    """A duration in hours, its business variant (`..._business_hours`) when asked for."""
    business_key = key.replace("_hours", "_business_hours")
    return lambda row, business: _number(row[business_key if business else key])


def _minutes(key: str) -> Callable[[dict[str, Any], bool], str]:
    business_key = key.replace("_minutes", "_business_minutes")
    return lambda row, business: _number(row[business_key if business else key], 0)


def _period(report: dict[str, Any]) -> str:
    """The report's [from, to) for a title: dates alone when both are midnight UTC."""
    ends = (report["from"], report["to"])
    if all(end.endswith("T00:00:00Z") for end in ends):
        ends = tuple(end.removesuffix("T00:00:00Z") for end in ends)
    return f"{ends[0]} – {ends[1]}"


def _count(value: Any) -> str:
    return NONE if value is None else str(value)


def _answers_scoring(score: str) -> Callable[[dict[str, Any], bool], str]:
    return lambda row, _: str(row["distribution"][score])


CX_COLUMNS: dict[str, Column] = {
    "solved": Column("solved", lambda r, _: str(r["solved"])),
    "fcr": Column("FCR\n%", lambda r, _: _percent(r["fcr"]["rate"])),
    "fcr_ci": Column("FCR\n95 % CI", lambda r, _: _interval(r["fcr"]["ci95"], 100)),
    "fcr_count": Column("FCR\ncount", lambda r, _: str(r["fcr"]["count"])),
    "csat": Column("CSAT\n%", lambda r, _: _number(r["csat"]["score"])),
    "csat_ci": Column("CSAT\n95 % CI", lambda r, _: _interval(r["csat"]["ci95"], 1)),
    "csat_responses": Column("CSAT\nn", lambda r, _: str(r["csat"]["responses"])),
    "surveys_sent": Column("surveys\nsent", lambda r, _: str(r["csat"]["surveys_sent"])),
    "response_rate": Column("resp.\nrate %", lambda r, _: _percent(r["csat"]["response_rate"])),
    "avg": Column("avg\nh", _hours("avg_resolution_hours")),
    "median": Column("median\nh", _hours("median_resolution_hours")),
    "p90": Column("p90\nh", _hours("p90_resolution_hours")),
    "first_response": Column("1st resp\nmin", _minutes("first_response_median_minutes")),
    "first_response_p90": Column("1st resp\np90 min", _minutes("first_response_p90_minutes")),
    "reopen": Column("reopen\n%", lambda r, _: _percent(r["reopen_rate"])),
    # The denominator of the headline rate (FCR-eligible tickets), marked when under 30.
    "n": Column(
        "n",
        lambda r, _: f"{r['fcr']['eligible']}{LOW_SAMPLE_MARK if r['low_sample'] else ''}",
    ),
}
CX_DEFAULT = (
    "solved",
    "fcr",
    "fcr_ci",
    "csat",
    "csat_ci",
    "avg",
    "median",
    "first_response",
    "reopen",
    "n",
)

NPS_COLUMNS = {
    "responses": Column("responses", lambda r, _: str(r["responses"])),
    "promoters": Column("promoters", lambda r, _: str(r["promoters"])),
    "passives": Column("passives", lambda r, _: str(r["passives"])),
    "detractors": Column("detractors", lambda r, _: str(r["detractors"])),
    "nps": Column("NPS", lambda r, _: _number(r["nps"])),
}
CES_COLUMNS = {
    "responses": Column("responses", lambda r, _: str(r["responses"])),
    "mean": Column("mean\n(1–7)", lambda r, _: _number(r["mean"], 2)),
    **{score: Column(score, _answers_scoring(score)) for score in map(str, range(1, 8))},
}
CUSTOMER_COLUMNS = {
    "customers_at_start": Column("at\nstart", lambda r, _: str(r["customers_at_start"])),
    "customers_at_end": Column("at\nend", lambda r, _: str(r["customers_at_end"])),
    "new": Column("new", lambda r, _: str(r["new"])),
    "lost": Column("lost", lambda r, _: str(r["lost"])),
    "churn": Column("churn\n%", lambda r, _: _percent(r["churn_rate"])),
    "retention": Column("retention\n%", lambda r, _: _percent(r["retention_rate"])),
    "contacts": Column("contacts", lambda r, _: str(r["contacts"])),
    "customers_contacting": Column(
        "customers\ncontacting", lambda r, _: str(r["customers_contacting"])
    ),
    "contacts_per_customer": Column(
        "contacts per\ncustomer", lambda r, _: _number(r["contacts_per_customer"], 2)
    ),
}
CHANNEL_MIX_COLUMNS = {
    "contacts": Column("contacts", lambda r, _: str(r["contacts"])),
    "share": Column("share\n%", lambda r, _: _percent(r["share"])),
}
# Per report kind: its columns by name and the ones shown when --columns is not given.
KINDS: dict[str, tuple[dict[str, Column], Sequence[str]]] = {
    "cx": (CX_COLUMNS, CX_DEFAULT),
    "nps": (NPS_COLUMNS, tuple(NPS_COLUMNS)),
    "ces": (CES_COLUMNS, tuple(CES_COLUMNS)),
    "customers": (CUSTOMER_COLUMNS, tuple(CUSTOMER_COLUMNS)),
}


def choose_columns(kind: str, columns: str | None) -> list[str]:
    """The columns `--columns` names (a comma list; `+a,+b` adds to the default ones)."""
    available, default = KINDS[kind]
    if not columns:
        return list(default)
    names = [name.strip() for name in columns.split(",") if name.strip()]
    if names and all(name.startswith("+") for name in names):
        names = [*default, *(name[1:] for name in names)]
    unknown = [name for name in names if name not in available]
    if unknown or not names:
        raise Invalid(
            f"unknown column {', '.join(unknown) or '(none)'}; {kind} has {', '.join(available)}",
            field="columns",
        )
    return list(dict.fromkeys(names))


def _table(
    title: str,
    groups: Sequence[str],
    columns: dict[str, Column],
    names: Sequence[str],
    rows: Sequence[tuple[Sequence[str], dict[str, Any]]],
    business: bool = False,
    note: str | None = None,
) -> RenderableType:
    """The title above (as long as it needs, not wrapped to the table's width), group
    columns left (folded rather than cut when long), figures right, one space apart (the
    box's divider, no padding), the header underlined, no cell cut to '…', a note below."""
    table = Table(
        box=box.SIMPLE_HEAD,
        padding=0,
        pad_edge=False,
        show_edge=False,
    )
    for group in groups:
        table.add_column(group, overflow="fold")
    for name in names:
        table.add_column(columns[name].header, justify="right", no_wrap=True)
    for labels, row in rows:
        table.add_row(*labels, *(columns[name].cell(row, business) for name in names))
    return Group(Text(title, style="bold"), table, *([Text(note)] if note else []))


def cx_table(
    report: dict[str, Any], columns: Sequence[str] | None = None, business: bool = False
) -> RenderableType:
    groups = report["group_by"]
    names = list(columns or CX_DEFAULT)
    rows = [([_count(row.get(g)) for g in groups], row) for row in report["rows"]]
    if groups:
        rows.append((["TOTAL", *[""] * (len(groups) - 1)], report["totals"]))
    hours = "business hours" if business else "calendar hours"
    note = f"n: FCR-eligible tickets; {LOW_SAMPLE_MARK} under 30, too few to rank on."
    title = f"CX {_period(report)}, {hours}"
    return _table(title, groups, CX_COLUMNS, names, rows, business, note if "n" in names else None)


def summary_table(
    kind: str, report: dict[str, Any], columns: Sequence[str] | None = None
) -> RenderableType:
    """The nps, ces and customers reports: one row of totals (and one per channel for CES,
    and the channel mix for customers)."""
    available, default = KINDS[kind]
    names = list(columns or default)
    title = f"{kind.upper() if kind != 'customers' else 'Customers'} {_period(report)}"
    if kind == "ces":
        rows = [([row["channel"]], row) for row in report["by_channel"]]
        rows.append((["TOTAL"], report))
        return _table(title, ["channel"], available, names, rows)
    table = _table(title, [], available, names, [([], report)])
    if kind != "customers":
        return table
    mix = [([row["channel"]], row) for row in report["channel_mix"]]
    mix_columns = list(CHANNEL_MIX_COLUMNS)
    return Group(table, _table("Channel mix", ["channel"], CHANNEL_MIX_COLUMNS, mix_columns, mix))
