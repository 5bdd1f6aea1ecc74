"""Report endpoints (leads and admins), survey sending, and the public survey API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter

from servicedesk.accounts.guards import PUBLIC, requires_lead
from servicedesk.clock import utcnow
from servicedesk.contract import JsonOrCsv
from servicedesk.errors import Invalid
from servicedesk.marketing import service as marketing
from servicedesk.text import TEXT_PATTERN

from . import formats, reports, survey_answers, surveys
from .schemas import NpsSendIn, NpsSent, SurveyAnswerIn, SurveyComments, SurveyPage

Format = Annotated[str, QueryParameter(pattern="^(json|csv)$")]
# Dates in the query are read as RFC 3339 text here: Litestar's own conversion would also
# take a number ("0.5") as a date, which the schema does not allow.
_WHEN = {
    "max_length": 40,
    "description": "ISO 8601 with a time zone, e.g. 2026-01-01T00:00:00Z",
    "schema_extra": {"format": "date-time"},
}
FIRST_YEAR, LAST_YEAR = 1900, 9000
When = Annotated[str, QueryParameter(**_WHEN)]  # type: ignore[arg-type]
From = Annotated[str, QueryParameter(name="from", **_WHEN)]  # type: ignore[arg-type]


def read_when(value: str, name: str) -> datetime:
    """A date and time with its zone, or a 422 naming the parameter."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise Invalid(
            f"{name} needs a date and time with a zone, e.g. 2026-01-01T00:00:00Z", field=name
        )
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        # Reports compare a period with the one before it: dates near the calendar's ends
        # would overflow.
        raise Invalid(f"{name} is a year from {FIRST_YEAR} to {LAST_YEAR}", field=name)
    return when


@dataclass(frozen=True)
class Period:
    """The half-open period [from, to) of a report."""

    start: datetime
    end: datetime


# The filters of a report's cohort: agent email, channel code, team name (None: all).
Filters = dict[str, str | None]


def period_parameters(from_: From, to: When) -> Period:
    return Period(start=read_when(from_, "from"), end=read_when(to, "to"))


FilterText = Annotated[str | None, QueryParameter(max_length=254, pattern=TEXT_PATTERN)]


def filter_parameters(
    agent: FilterText = None, channel: FilterText = None, team: FilterText = None
) -> Filters:
    return {"agent": agent, "channel": channel, "team": team}


def _respond(report: Any, fmt: str, csv_text: Any) -> Any:
    if fmt == "csv":
        return Response(
            csv_text(),
            media_type="text/csv",
            headers={"Content-Disposition": "attachment; filename=report.csv"},
        )
    return report


class ReportController(Controller):
    path = "/api/reports"
    tags = ["reports"]
    guards = [requires_lead]
    dependencies = {
        "period": Provide(period_parameters, sync_to_thread=False),
        "filters": Provide(filter_parameters, sync_to_thread=False),
    }

    @get(
        "/cx",
        operation_class=JsonOrCsv,
        summary="FCR, resolution time and CSAT over the cohort of a period",
    )
    async def cx(
        self,
        period: NamedDependency[Period],
        filters: NamedDependency[Filters],
        group_by: Annotated[str, QueryParameter(max_length=100, pattern=TEXT_PATTERN)] = "",
        format: Format = "json",
    ) -> Any:
        report = await reports.cx_report(
            start=period.start,
            end=period.end,
            group_by=reports.parse_group_by(group_by),
            filters=filters,
        )
        return _respond(report, format, lambda: formats.cx_csv(report))

    @get("/cx/trend", summary="The cx figures per day, week or month")
    async def trend(
        self,
        period: NamedDependency[Period],
        filters: NamedDependency[Filters],
        interval: Annotated[str, QueryParameter(pattern="^(day|week|month)$")] = "week",
    ) -> dict[str, Any]:
        report = await reports.cx_report(
            start=period.start,
            end=period.end,
            group_by=[interval],
            filters=filters,
        )
        return {
            "from": report["from"],
            "to": report["to"],
            "interval": interval,
            "points": [{"period_start": r[interval], **r} for r in report["rows"]],
        }

    @get(
        "/cx/tickets",
        operation_class=JsonOrCsv,
        summary="Drill-down: the tickets a figure counts, with the reason",
    )
    async def drill_down(
        self,
        period: NamedDependency[Period],
        filters: NamedDependency[Filters],
        metric: Annotated[str, QueryParameter(max_length=100, pattern=TEXT_PATTERN)] = "solved",
        format: Format = "json",
    ) -> Any:
        items = await reports.cohort_tickets(
            start=period.start,
            end=period.end,
            metric=metric,
            filters=filters,
        )
        return _respond({"items": items}, format, lambda: formats.flat_csv(items))

    @get("/nps", operation_class=JsonOrCsv, summary="NPS over the responses given in a period")
    async def nps(self, period: NamedDependency[Period], format: Format = "json") -> Any:
        report = await reports.nps_report(start=period.start, end=period.end)
        return _respond(report, format, lambda: formats.flat_csv([report]))

    @get("/ces", summary="CES mean and distribution, by channel")
    async def ces(self, period: NamedDependency[Period]) -> dict[str, Any]:
        return await reports.ces_report(start=period.start, end=period.end)

    @get(
        "/customers",
        operation_class=JsonOrCsv,
        summary="Retention, churn, contacts per customer, channel mix",
    )
    async def customers(self, period: NamedDependency[Period], format: Format = "json") -> Any:
        report = await reports.customers_report(start=period.start, end=period.end)
        flat = {k: v for k, v in report.items() if k != "channel_mix"}
        return _respond(report, format, lambda: formats.flat_csv([flat]))


class SurveyAdminController(Controller):
    path = "/api/surveys"
    tags = ["surveys"]
    guards = [requires_lead]

    @post("/nps", summary="Send the NPS survey to customers, or to a saved segment's members")
    async def send_nps(self, data: JSONBody[NpsSendIn]) -> NpsSent:
        if (data.customer_ids is None) == (data.segment_id is None):
            raise Invalid("give either customer_ids or segment_id", field="customer_ids")
        customer_ids = data.customer_ids
        if data.segment_id is not None:
            customer_ids = await marketing.member_ids(segment_id=data.segment_id, now=utcnow())
        return NpsSent(
            sent=await surveys.send_nps(customer_ids=customer_ids or [], anonymous=data.anonymous)
        )

    @get("/comments", summary="Search survey comments (voice of the customer)")
    async def comments(
        self,
        q: Annotated[str | None, QueryParameter(max_length=200, pattern=TEXT_PATTERN)] = None,
        from_: Annotated[str | None, QueryParameter(name="from", **_WHEN)] = None,  # type: ignore[arg-type]
        to: Annotated[str | None, QueryParameter(**_WHEN)] = None,  # type: ignore[arg-type]
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
    ) -> SurveyComments:
        start = read_when(from_, "from") if from_ is not None else None
        end = read_when(to, "to") if to is not None else None
        found = await survey_answers.search_comments(query=q, start=start, end=end, limit=limit)
        return SurveyComments.model_validate({"items": found})


SurveyToken = Annotated[str, PathParameter(max_length=300, pattern=TEXT_PATTERN)]


class PublicSurveyController(Controller):
    path = "/public/api/surveys"
    tags = ["public"]
    # 410: the link was used, the edit token expired, or the ticket was reopened.
    opt = {**PUBLIC, "problems": (410,)}

    @get("/{token:str}", summary="The survey a link points to")
    async def show(self, token: SurveyToken) -> SurveyPage:
        return SurveyPage(**await survey_answers.survey_page(token=token))

    @post("/{token:str}", status_code=200, summary="Answer a survey (rating, comment, CES)")
    async def answer(self, token: SurveyToken, data: JSONBody[SurveyAnswerIn]) -> SurveyPage:
        if data.rating is None and data.comment is None and data.ces_score is None:
            raise Invalid("give a rating, a comment or a CES score", field="rating")
        return SurveyPage(
            **await survey_answers.answer_survey(
                token=token, rating=data.rating, comment=data.comment, ces_score=data.ces_score
            )
        )
