"""The follow-up inbox as a manager reads it: one page of items matching the filters,
with totals, owners, due dates and each item's history, in the manager's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from typing import Any

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.inbox import InboxFilters, due_at, is_overdue, read_filters
from surveyapp.domain.journeys import Journey, Moment
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.vocabulary import FOLLOWUP_PAGE_SIZE

#: The characters of an item's answers shown in the inbox's list (the item's page shows all).
EXCERPT = 160


@dataclass
class Inbox:
    """One page of the inbox, ready for its template."""

    filters: InboxFilters
    items: list[dict[str, Any]]
    total: int
    pages: int
    target_hours: int
    owners: list[str]
    moments: dict[str, str] = field(default_factory=dict)  # id -> name, in journey order
    themes: dict[str, str] = field(default_factory=dict)  # id -> name, the themes of comments


def owners(db: storage.Database) -> list[str]:
    """Who may own an item: the admins (a viewer changes nothing)."""
    return [u["username"] for u in storage.accounts.list_users(db) if u["role"] == "admin"]


def _moments(db: storage.Database, journey: Journey) -> dict[str, Moment]:
    return {m.id: m for m in [*journey.moments, *storage.journeys.retired_moments(db, journey.id)]}


def describe(
    item: dict[str, Any],
    journey: Journey,
    moment: Moment | None,
    locale: str,
    target_hours: int,
    now: datetime,
) -> dict[str, Any]:
    """An item with what a manager reads: its moment's name, when it came, its answers
    in the manager's language, when it is due and whether it is overdue."""
    created = storage.parse_iso(item["created_at"])
    due = due_at(created, target_hours)
    item["moment_name"] = (
        moment.display_name(locale, journey.default_locale) if moment else item["moment_id"]
    )
    item["when"] = i18n.datetime_text(created, locale)
    item["due"] = storage.iso(due)
    item["due_text"] = i18n.datetime_text(due, locale)
    item["overdue"] = is_overdue(item["status"], created, target_hours, now)
    item["late_by"] = i18n.duration_text(now - due, locale) if item["overdue"] else None
    item["readable"] = (
        survey_for(journey, moment).readable_answers(item["answers"], locale)
        if moment
        else [(key, str(value)) for key, value in item["answers"].items()]
    )
    said = " · ".join(answer for _, answer in item["readable"])
    item["excerpt"] = said if len(said) <= EXCERPT else said[: EXCERPT - 1] + "…"
    return item


def inbox(
    db: storage.Database,
    journey: Journey,
    args: Any,
    locale: str,
    now: datetime | None = None,
) -> Inbox:
    """The page of the inbox that the query string ``args`` asks for."""
    now = now or storage.utcnow()
    moments = _moments(db, journey)
    who = owners(db)
    themes = storage.themes.list_themes(db, journey.id)
    filters = read_filters(args, moments, who, [theme.id for theme in themes])
    hours = storage.inbox.target_hours(db, journey.id)
    about = None
    if filters.theme is not None:
        from surveyapp.services import comment_themes  # stemmers: for a theme filter only

        (theme,) = [t for t in themes if str(t.id) == filters.theme]
        about = comment_themes.pain_about(
            db, journey, theme, moment_id=filters.moment, locale=filters.locale
        )
    rows, total = storage.inbox.inbox_page(
        db,
        journey.id,
        filters,
        now=now,
        target_hours=hours,
        page_size=FOLLOWUP_PAGE_SIZE,
        about=about,
    )
    items = [
        describe(row, journey, moments.get(row["moment_id"]), locale, hours, now) for row in rows
    ]
    return Inbox(
        filters=filters,
        items=items,
        total=total,
        pages=max(1, ceil(total / FOLLOWUP_PAGE_SIZE)),
        target_hours=hours,
        owners=who,
        moments={id: m.display_name(locale, journey.default_locale) for id, m in moments.items()},
        themes={str(t.id): t.name(locale, journey.default_locale) for t in themes},
    )


def item(
    db: storage.Database,
    journey: Journey,
    response_id: int,
    locale: str,
    now: datetime | None = None,
) -> dict[str, Any] | None:
    """One item of the journey's inbox with its history, or None."""
    found = storage.inbox.followup_item(db, journey.id, response_id)
    if found is None:
        return None
    hours = storage.inbox.target_hours(db, journey.id)
    moment = _moments(db, journey).get(found["moment_id"])
    described = describe(found, journey, moment, locale, hours, now or storage.utcnow())
    # What the customer read the moment as: an email to them names it so.
    described["customer_moment_name"] = (
        moment.display_name(found["locale"], journey.default_locale)
        if moment
        else found["moment_id"]
    )
    described["recovery"] = storage.recoveries.recovery_of(db, response_id)
    if described["recovery"]:
        sent = storage.parse_iso(described["recovery"]["sent_at"])
        described["recovery_sent"] = i18n.datetime_text(sent, locale)
    described["history"] = [
        {**event, "when": i18n.datetime_text(storage.parse_iso(event["at"]), locale)}
        for event in storage.inbox.history(db, response_id)
    ]
    return described
