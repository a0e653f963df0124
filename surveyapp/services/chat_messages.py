"""Chat messages: an event said in words, in the journey's language, in the format a
Slack or a Microsoft Teams incoming webhook takes.

Made when a delivery is sent (the webhook worker), not when the event is queued, so a
customer's submit pays nothing for it. The customer's own words are put where neither
chat reads formatting (Slack ``plain_text``, Teams ``TextRun``): a comment cannot make a
link or a mention in a team's channel. A channel has many readers, so the message never
names the customer; its button opens the item, behind the service's sign-in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.domain.journeys import Journey
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.vocabulary import (
    FOLLOWUP_LABELS,
    FOLLOWUP_STATUS_EVENT,
    PAIN_SHARE_EVENT,
    POLARITY_LABELS,
    Polarity,
    WebhookFormat,
)

#: A line of a message longer than this is cut (Slack takes 3,000 characters a block).
LINE_CHARS = 1000


@dataclass(frozen=True)
class Said:
    """An event in words: a title, lines of (label, text), and a link to open."""

    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    link: tuple[str, str] | None = None  # (button label, address)


def said(event: str, data: dict[str, Any], journey: Journey | None, base_url: str | None) -> Said:
    """What the event ``event`` says, in the journey's language (English without one)."""
    locale = journey.default_locale if journey else "en"
    brand = journey.brand if journey else str(data.get("journey", ""))
    found = journey.moment(data.get("moment", "")) if journey else None
    survey = survey_for(journey, found) if journey and found else None
    moment = survey.moment_name(locale) if survey else str(data.get("moment", ""))
    journey_url = f"{base_url}/admin/j/{data.get('journey')}" if base_url else None
    item_url = f"{journey_url}/followups/{data.get('id')}" if journey_url else None

    def _(text: str, **values: Any) -> str:
        return i18n.translate(locale, text, **values)

    def link(label: str, url: str | None) -> tuple[str, str] | None:
        return (_(label), url) if url else None

    if event == PAIN_SHARE_EVENT:
        return Said(
            _("%(brand)s: “%(moment)s” above your pain threshold", brand=brand, moment=moment),
            [
                (
                    _("Pain over the last 7 days"),
                    _(
                        "%(share)s of %(answers)s answers (95%% interval %(low)s to %(high)s)",
                        share=i18n.percent(data["share"], locale),
                        answers=i18n.number(data["answers"], locale),
                        low=i18n.percent(data["low"], locale),
                        high=i18n.percent(data["high"], locale),
                    ),
                ),
                (_("Your threshold"), i18n.percent(data["threshold"] / 100, locale)),
            ],
            link(N_("Open the journey"), journey_url),
        )
    if event in ("response.negative", "response.created"):
        polarity = data.get("polarity", "")
        words = POLARITY_LABELS.get(polarity)
        if polarity == Polarity.NEGATIVE:
            title = _("%(brand)s: pain at “%(moment)s”", brand=brand, moment=moment)
        else:
            title = _(
                "%(brand)s: a new answer at “%(moment)s” (%(polarity)s)",
                brand=brand,
                moment=moment,
                polarity=_(words) if words else polarity,
            )
        answers = data.get("answers") or {}
        lines = (
            survey.readable_answers(answers, locale)
            if survey
            else [(k, str(v)) for k, v in answers.items()]
        )
        if polarity == Polarity.NEGATIVE:
            return Said(title, lines, link(N_("Open the follow-up"), item_url))
        return Said(title, lines, link(N_("Open the journey"), journey_url))
    if event == FOLLOWUP_STATUS_EVENT:
        before, after = FOLLOWUP_LABELS.get(data["from"]), FOLLOWUP_LABELS.get(data["to"])
        return Said(
            _("%(brand)s: a follow-up at “%(moment)s” changed", brand=brand, moment=moment),
            [
                (
                    _("Status"),
                    _(
                        "%(before)s → %(after)s",
                        before=_(before) if before else data["from"],
                        after=_(after) if after else data["to"],
                    ),
                ),
                (_("By"), data.get("by") or _("the service")),
            ],
            link(N_("Open the follow-up"), item_url),
        )
    return Said(
        _("%(brand)s: a test message; this channel will receive the alerts.", brand=brand),
        [],
        link(N_("Open the journey"), journey_url),
    )


def _cut(text: str) -> str:
    return text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…"


def _slack_escaped(text: str) -> str:
    """Slack's three control characters, escaped as its documentation asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: Said) -> dict[str, Any]:
    """A Slack incoming webhook's body: a fallback text (notifications) and blocks."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}}
    ]
    if message.lines:
        text = "\n".join(f"{label}: {_cut(value)}" for label, value in message.lines)
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": text}})
    if message.link:
        label, url = message.link
        button = {"type": "button", "text": {"type": "plain_text", "text": label}, "url": url}
        blocks.append({"type": "actions", "elements": [button]})
    return {"text": _slack_escaped(message.title), "mrkdwn": False, "blocks": blocks}


def teams(message: Said) -> dict[str, Any]:
    """A Microsoft Teams workflow webhook's body: one Adaptive Card (1.4) in a message."""
    body: list[dict[str, Any]] = [
        {
            "type": "RichTextBlock",
            "inlines": [{"type": "TextRun", "text": message.title, "weight": "Bolder"}],
        }
    ]
    for label, value in message.lines:
        body.append(
            {
                "type": "RichTextBlock",
                "inlines": [
                    {"type": "TextRun", "text": f"{label}: ", "weight": "Bolder"},
                    {"type": "TextRun", "text": _cut(value)},
                ],
            }
        )
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.link:
        label, url = message.link
        card["actions"] = [{"type": "Action.OpenUrl", "title": label, "url": url}]
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
    return {"type": "message", "attachments": [attachment]}


def body(format: str, payload: str, journey: Journey | None, base_url: str | None) -> str:
    """What an endpoint of ``format`` receives for a queued event (its stored JSON):
    the event itself, or the chat message that says it."""
    if format not in (WebhookFormat.SLACK, WebhookFormat.TEAMS):
        return payload
    event = json.loads(payload)
    message = said(event["type"], event.get("data") or {}, journey, base_url)
    chat = slack(message) if format == WebhookFormat.SLACK else teams(message)
    return json.dumps(chat, ensure_ascii=False, separators=(",", ":"))
