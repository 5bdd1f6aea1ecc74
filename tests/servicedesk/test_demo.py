"""The demo shows what a lead would look at (issue 14): tickets routed to two teams with
different business hours, and CSAT with the surveys that asked for it (a response rate)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from servicedesk.accounts.tables import Team
from servicedesk.customers import journey
from servicedesk.customers.tables import Customer, JourneyChange
from servicedesk.cx.reports import cx_report
from servicedesk.cx.tables import Survey, SurveyResponse
from servicedesk.demo import load_demo
from servicedesk.marketing import campaigns
from servicedesk.marketing.tables import Campaign
from servicedesk.tickets.tables import Ticket


async def test_demo_routes_tickets_to_two_teams_and_surveys_them(tmp_path: Path) -> None:
    message = await load_demo(customers=150, tickets=500, seed=7, path=tmp_path / "demo.jsonl")
    assert message.startswith("demo data loaded")
    assert await Ticket.count().where(Ticket.team.is_null()) == 0
    schedules = {row["name"]: row["schedule"] for row in await Team.select().output(load_json=True)}
    assert schedules["Tier 1"]["timezone"] != schedules["Billing"]["timezone"]
    assert schedules["Tier 1"]["hours"] != schedules["Billing"]["hours"]

    end = datetime.now(UTC) + timedelta(days=1)
    report = await cx_report(start=end - timedelta(days=100), end=end, group_by=["team"])
    rows = {row["team"]: row for row in report["rows"]}
    assert set(rows) == {"Tier 1", "Billing"}
    assert all(row["solved"] >= 100 for row in rows.values())
    tier1, billing = rows["Tier 1"], rows["Billing"]
    # Same kind of history, other hours: Billing's shorter day counts fewer business hours
    # per calendar hour than Tier 1's long weekdays and Saturday mornings.
    for row in (tier1, billing):
        assert 0 < row["avg_resolution_business_hours"] < row["avg_resolution_hours"]
    ratio = {
        t: r["avg_resolution_business_hours"] / r["avg_resolution_hours"] for t, r in rows.items()
    }
    assert ratio["Billing"] < ratio["Tier 1"]

    csat = report["totals"]["csat"]
    assert csat["surveys_sent"] > csat["responses"] > 30
    assert 0.3 <= csat["response_rate"] <= 0.5
    # Every invitation is kept as a survey of the ticket's solve, and every rating answers one.
    assert await Survey.count() >= csat["surveys_sent"]
    assert await Survey.count().where(Survey.solve_number < 1) == 0
    assert await SurveyResponse.count().where(SurveyResponse.kind == "csat") <= await Survey.count()

    # Marketing: a thank-you campaign to the promoters, queued for those with consent.
    [campaign] = await Campaign.select()
    figures = await campaigns.report(campaign_id=campaign["id"])
    assert campaign["status"] == "sent" and figures["recipients"] > 0
    assert figures["skipped_no_consent"] > 0

    # Sales: leads across the stages, some won and lost, three of them from the campaign.
    from servicedesk.sales.report import lead_report

    leads = await lead_report()
    stages = {row["stage"]: row["leads"] for row in leads["pipeline"]}
    assert leads["leads"] >= 20 and stages["won"] > 0 and stages["lost"] > 0
    assert sum(stages[s] for s in ("new", "qualified", "proposal")) > 0
    assert any(row["median_days"] for row in leads["time_in_stage"])
    assert (figures := await campaigns.report(campaign_id=campaign["id"]))["leads"] == 3
    assert figures["won_value"] == [{"currency": "EUR", "amount": 2500.0}]
    # The other doors: web form, chat and social tickets.
    channels = [row["channel"] for row in await Ticket.select(Ticket.channel)]
    assert channels.count("web") >= 2 and "chat" in channels and "social" in channels
    # Journeys: every customer has a stage and its history; the funnel has figures.
    assert await Customer.count().where(Customer.journey_stage.is_null()) == 0
    assert await JourneyChange.count() > 150
    funnel = await journey.funnel(start=end - timedelta(days=100), end=end)
    first = funnel["stages"][0]
    assert first["entered"] > 0 and 0 < first["conversion_to_next"] < 1


async def test_demo_loads_once(tmp_path: Path) -> None:
    await load_demo(customers=5, tickets=10, seed=1, path=tmp_path / "demo.jsonl")
    loaded = await Ticket.count()
    assert loaded >= 10  # the history, and the phone and duplicate examples
    again = await load_demo(customers=5, tickets=10, seed=1, path=tmp_path / "demo.jsonl")
    assert again.startswith("demo data already loaded")
    # The history's tickets, the other doors' (web form, chat, social), the phone and
    # duplicate examples, once.
    assert await Ticket.count() == loaded
