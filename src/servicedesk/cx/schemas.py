from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from servicedesk.schemas import Id, Request, Text, Whole


class SurveyPage(BaseModel):
    kind: str
    question: str
    ces_question: str | None
    ticket_subject: str | None
    rating: int | None
    comment: str | None
    ces_score: int | None
    edit_token: str | None = None


class SurveyAnswerIn(Request):
    rating: Whole | None = None
    comment: Text | None = Field(default=None, max_length=5000)
    ces_score: Whole | None = None


class NpsSendIn(Request):
    """Who to survey: a list of customers, or a saved segment's members (one of the two)."""

    customer_ids: list[Id] | None = Field(default=None, min_length=1, max_length=10_000)
    segment_id: Id | None = None
    anonymous: bool = False


class NpsSent(BaseModel):
    sent: int


class SurveyComment(BaseModel):
    kind: str
    score: int
    comment: str
    ticket_id: int | None
    customer_id: int | None  # None when the answer was anonymous
    created_at: datetime


class SurveyComments(BaseModel):
    items: list[SurveyComment]
