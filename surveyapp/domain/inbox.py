"""The follow-up inbox's filters, read from a query string: every value is checked
against what it may be, so a link edited by hand shows an honest, unfiltered page
rather than an error or a filter nobody can see."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from surveyapp.domain.text import is_whole_number
from surveyapp.domain.vocabulary import (
    FOLLOWUP_AGES,
    FOLLOWUP_DONE,
    FOLLOWUP_NOBODY,
    FOLLOWUP_SORTS,
    FOLLOWUP_STATUS_FILTERS,
    LOCALES,
    RESPONSE_CHANNELS,
)

#: The longest text searched for; longer is cut (a search box, not a document).
SEARCH_MAX = 200
#: The highest page asked for in a link; beyond it, page 1.
PAGE_MAX = 100_000
#: Query-string names that differ from the field's.
_PARAMS = {"text": "q"}


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox shows: each field None (or its default) when not filtered."""

    status: str | None = None
    moment: str | None = None
    owner: str | None = None  # a username, or FOLLOWUP_NOBODY for no owner
    age: str | None = None  # a key of FOLLOWUP_AGES
    channel: str | None = None
    locale: str | None = None
    text: str | None = None
    theme: str | None = None  # a theme's id: items whose comment is about it
    sort: str = "newest"
    page: int = 1

    def query(self, **changes) -> dict[str, str]:
        """The query string of these filters (with ``changes``), without defaults: the
        link of a page, of the next page, of one filter removed."""
        values = asdict(replace(self, **changes))
        defaults = asdict(InboxFilters())
        return {
            _PARAMS.get(k, k): str(v)
            for k, v in values.items()
            if v is not None and v != defaults[k]
        }

    @property
    def narrowed(self) -> bool:
        """Whether anything but the order and the page is chosen."""
        return replace(self, sort="newest", page=1) != InboxFilters()


def read_filters(
    args: Mapping[str, str],
    moment_ids: Collection[str],
    usernames: Collection[str],
    theme_ids: Collection[int] = (),
) -> InboxFilters:
    """The filters of a query string; a value that is not one of the choices is dropped.

    ``moment_ids``: the journey's moments (retired ones included); ``usernames``: who
    may own an item; ``theme_ids``: the journey's themes of comments."""

    def chosen(name: str, allowed: Collection[str]) -> str | None:
        value = args.get(name)
        return value if value in allowed else None

    page = args.get("page", "1")
    text = " ".join(args.get("q", "").split())[:SEARCH_MAX]
    return InboxFilters(
        status=chosen("status", FOLLOWUP_STATUS_FILTERS),
        moment=chosen("moment", moment_ids),
        owner=chosen("owner", [*usernames, FOLLOWUP_NOBODY]),
        age=chosen("age", FOLLOWUP_AGES),
        channel=chosen("channel", RESPONSE_CHANNELS),
        locale=chosen("locale", LOCALES),
        text=text or None,
        theme=chosen("theme", [str(theme_id) for theme_id in theme_ids]),
        sort=chosen("sort", FOLLOWUP_SORTS) or "newest",
        page=int(page) if is_whole_number(page) and 0 < int(page) <= PAGE_MAX else 1,
    )


def due_at(created_at: datetime, target_hours: int) -> datetime:
    """When a moment of pain should be handled by."""
    return created_at + timedelta(hours=target_hours)


def is_overdue(status: str, created_at: datetime, target_hours: int, now: datetime) -> bool:
    """Whether an item is past its target time and still not resolved."""
    return status != FOLLOWUP_DONE and now > due_at(created_at, target_hours)
