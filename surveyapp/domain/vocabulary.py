"""The service's vocabulary, each word defined once.

Validation, forms, the OpenAPI document, the CLI's choices and the docs all take their
lists from here, so adding a locale, a kind or an event is one edit (docs/translations.md
for a locale). Labels are message ids, translated where they are shown.

A closed set of words that code compares against is an ``enum.StrEnum``
(``Polarity.NEGATIVE``): a typo is an AttributeError, not a silent mismatch, and its
members are the plain strings stored, posted and sent (``Polarity.NEGATIVE ==
"negative"``). The tuples beside them list the values as plain strings, for choices.
"""

from __future__ import annotations

from enum import StrEnum


def values(words: type[StrEnum]) -> tuple[str, ...]:
    """A StrEnum's values as plain strings, in order: what choices list (click's Choice
    would otherwise offer the members' names)."""
    return tuple(word.value for word in words)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, where it is shown."""
    return message


# --- languages ---------------------------------------------------------------------------

#: The locales the service ships, in the order switchers list them. English is the
#: source language of every message; the others have a catalog in translations/.
LOCALES: tuple[str, ...] = ("fr", "ro", "en")
SOURCE_LOCALE = "en"
#: Each language's own name for itself, as the language switchers show it: Babel's
#: (a test checks they agree), kept here because asking Babel loads that locale's whole
#: CLDR data, 1 to 5 MB in every worker that merely shows a survey page.
LANGUAGE_NAMES = {"fr": "Français", "ro": "Română", "en": "English"}
#: Each language as a reader names it inside a sentence ("en roumain", "în română",
#: "in Romanian"): Babel's names, lower case in French and Romanian (a test checks), kept
#: here for the same reason as LANGUAGE_NAMES.
LANGUAGE_NAMES_IN: dict[str, dict[str, str]] = {
    "fr": {"fr": "français", "ro": "roumain", "en": "anglais"},
    "ro": {"fr": "franceză", "ro": "română", "en": "engleză"},
    "en": {"fr": "French", "ro": "Romanian", "en": "English"},
}

# --- moments -----------------------------------------------------------------------------

#: Kinds of moment of truth, in journey order; each has a blueprint in survey_templates/.
KINDS: tuple[str, ...] = (
    "zmot",
    "fmot",
    "smot",
    "amot",
    "lmot",
    "recovery",
    "loyalty",
    "touchpoint",
)
#: How each kind of moment is named to CX managers.
KIND_LABELS: dict[str, str] = {
    "zmot": N_("ZMOT: searching before buying"),
    "fmot": N_("FMOT: first sight"),
    "smot": N_("SMOT: using it"),
    "amot": N_("AMOT: purchase to receipt"),
    "lmot": N_("LMOT: feedback and recommendation"),
    "recovery": N_("Problem resolution"),
    "loyalty": N_("Loyalty"),
    "touchpoint": N_("Touchpoint"),
}
#: What each kind of moment is, in one line, where a manager chooses one.
KIND_EXPLANATIONS: dict[str, str] = {
    "zmot": N_("Before buying: the customer reads reviews, compares and searches."),
    "fmot": N_("First sight of the product or service, on a shelf, a site or in person."),
    "smot": N_("Using it: the experience itself, or a business client's onboarding."),
    "amot": N_("Between purchase and receipt: confirmation, delivery, waiting."),
    "lmot": N_("Giving feedback or recommending: the memory that brings the next customers."),
    "recovery": N_("A problem being solved: handled well, a pain can turn into glory."),
    "loyalty": N_("Coming back or renewing: what keeps a customer."),
    "touchpoint": N_("Any other contact that can make or break the relationship."),
}
#: Where a moment happens (a journey definition's ``channel``).
MOMENT_CHANNELS: tuple[str, ...] = ("web", "email", "phone", "store", "delivery", "app", "other")
#: How each of those is named to CX managers.
MOMENT_CHANNEL_LABELS: dict[str, str] = {
    "web": N_("Website"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "store": N_("Shop or premises"),
    "delivery": N_("Delivery"),
    "app": N_("Mobile app"),
    "other": N_("Other"),
}

# --- questions and answers ---------------------------------------------------------------

QUESTION_TYPES: tuple[str, ...] = ("polarity", "csat", "ces", "nps", "yesno", "text")
#: How each question type is named to CX managers choosing a moment's questions.
QUESTION_TYPE_LABELS: dict[str, str] = {
    "polarity": N_("well, so-so or badly"),
    "csat": N_("satisfaction, 1 to 5"),
    "ces": N_("effort, 1 to 7"),
    "nps": N_("recommendation, 0 to 10 (NPS)"),
    "yesno": N_("yes or no"),
    "text": N_("free text"),
}
#: Question types that can decide a response's polarity, in order of precedence.
DECIDING_TYPES: tuple[str, ...] = ("polarity", "nps", "csat", "ces")
#: The numeric scales: lowest and highest answer.
RANGES: dict[str, tuple[int, int]] = {"csat": (1, 5), "ces": (1, 7), "nps": (0, 10)}
#: The lowest answer that counts as positive, and the lowest that counts as neutral, per
#: scale: NPS 9–10 / 7–8 / 0–6 (promoters, passives, detractors), CSAT 4–5 / 3 / 1–2,
#: CES 5–7 / 4 / 1–3.
THRESHOLDS: dict[str, tuple[int, int]] = {"nps": (9, 7), "csat": (4, 3), "ces": (5, 4)}
#: The choices of each closed question type: (posted value, label message id).
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "polarity": (
        ("positive", N_("Well")),
        ("neutral", N_("So-so")),
        ("negative", N_("Badly")),
    ),
    "yesno": (("yes", N_("Yes")), ("no", N_("No"))),
    "csat": (
        ("1", N_("Very dissatisfied")),
        ("2", N_("Dissatisfied")),
        ("3", N_("Neither satisfied nor dissatisfied")),
        ("4", N_("Satisfied")),
        ("5", N_("Very satisfied")),
    ),
    "ces": tuple((str(n), "") for n in range(RANGES["ces"][0], RANGES["ces"][1] + 1)),
    "nps": tuple((str(n), "") for n in range(RANGES["nps"][0], RANGES["nps"][1] + 1)),
}
#: What the two ends of a numeric scale mean, shown beside it.
SCALE_ENDS: dict[str, tuple[str, str]] = {
    "ces": (N_("1 = very difficult"), N_("7 = very easy")),
    "nps": (N_("0 = not at all likely"), N_("10 = extremely likely")),
}
MAX_QUESTIONS = 3
MAX_TEXT_ANSWER = 2000


class Polarity(StrEnum):
    """How a response counts for its moment: glory, neither, pain."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


POLARITIES: tuple[str, ...] = values(Polarity)
POLARITY_LABELS: dict[str, str] = {
    Polarity.POSITIVE: N_("Glory"),
    Polarity.NEUTRAL: N_("So-so"),
    Polarity.NEGATIVE: N_("Pain"),
}

# --- how an answer arrived ---------------------------------------------------------------


class Channel(StrEnum):
    """How an answer arrived: every channel a response is counted under."""

    LINK = "link"  # a public link (the default)
    QR = "qr"  # a public link printed as a QR code (``?src=qr``)
    EMAIL = "email"  # a personal link the service emailed
    PERSONAL = "personal"  # a personal link the company sent itself


CHANNEL_LINK = Channel.LINK
CHANNEL_QR = Channel.QR
CHANNEL_EMAIL = Channel.EMAIL
CHANNEL_PERSONAL = Channel.PERSONAL
#: Channels of a public link, chosen with ``?src=``.
PUBLIC_CHANNELS: tuple[str, ...] = (Channel.LINK, Channel.QR)
#: Every channel a response is counted under.
RESPONSE_CHANNELS: tuple[str, ...] = values(Channel)
CHANNEL_LABELS: dict[str, str] = {
    "link": N_("Public link"),
    "qr": N_("QR code"),
    "email": N_("Emailed invitation"),
    "personal": N_("Personal link"),
}

# --- invitations -------------------------------------------------------------------------

#: What became of an invitation, from its creation to its answer (docs/invitations.md):
#: each is one SQL condition in storage.invitation_tracking.invitation_list, in this order
#: of precedence.
INVITATION_STATES: tuple[str, ...] = (
    "answered",
    "opted_out",
    "expired",
    "failed",
    "opened",
    "sent",
    "created",
    "skipped",
)
INVITATION_STATE_LABELS: dict[str, str] = {
    "answered": N_("Answered"),
    "opted_out": N_("Opted out"),
    "expired": N_("Expired"),
    "failed": N_("Sending failed"),
    "opened": N_("Opened"),
    "sent": N_("Sent"),
    "created": N_("Link made"),
    "skipped": N_("Skipped"),
}
#: Why a request did not become an invitation.
SKIP_REASONS: dict[str, str] = {
    "opted_out": N_("opted out of surveys"),
    "same_moment": N_("already invited to this moment in the last 30 days"),
    "budget": N_("contact budget reached: invited too often in 30 days"),
}

# --- the dashboard's headlines ---------------------------------------------------------

#: The headline tiles, by code (services/headlines.py).
TILE_NAMES: dict[str, str] = {
    "nps": N_("NPS"),
    "net_score": N_("Net score"),
    "response_rate": N_("Response rate"),
    "pain": N_("Share of pain"),
}
#: How a figure moved since the period before, judged by the interval of the change.
CHANGE_VERDICTS: dict[str, str] = {
    "better": N_("Better"),
    "worse": N_("Worse"),
    "unclear": N_("No clear change"),
}

# --- following up ------------------------------------------------------------------------


class FollowupStatus(StrEnum):
    """A moment of pain's follow-up, from new to done; every status but the last is open."""

    OPEN = "open"
    CONTACTED = "contacted"
    RESOLVED = "resolved"


FOLLOWUP_STATUSES: tuple[str, ...] = values(FollowupStatus)
FOLLOWUP_NEW = FollowupStatus.OPEN
FOLLOWUP_CONTACTED = FollowupStatus.CONTACTED
FOLLOWUP_DONE = FollowupStatus.RESOLVED
FOLLOWUP_LABELS: dict[str, str] = {
    FollowupStatus.OPEN: N_("Open"),
    FollowupStatus.CONTACTED: N_("Contacted"),
    FollowupStatus.RESOLVED: N_("Resolved"),
}
#: The inbox's status filter beyond one status: every item not resolved yet (what the
#: dashboard counts as "to follow up").
FOLLOWUP_UNRESOLVED = "unresolved"
FOLLOWUP_STATUS_FILTERS: dict[str, str] = {
    FOLLOWUP_UNRESOLVED: N_("Not resolved (open or contacted)"),
    **FOLLOWUP_LABELS,
}
#: A journey's target time to handle a moment of pain unless its managers set another:
#: an item not resolved by then is overdue. Two days, as professional CX tools suggest.
FOLLOWUP_TARGET_HOURS = 48
#: The longest target a manager may set (90 days): longer is no target at all.
FOLLOWUP_TARGET_MAX_HOURS = 90 * 24
#: The inbox's age filter: received within the last so many hours, or overdue.
FOLLOWUP_OVERDUE = "overdue"
FOLLOWUP_AGES: dict[str, str] = {
    FOLLOWUP_OVERDUE: N_("Overdue"),
    "24": N_("Received in the last 24 hours"),
    "168": N_("Received in the last 7 days"),
    "720": N_("Received in the last 30 days"),
}
#: The inbox's orders: newest first, or oldest first (which is also soonest due, since
#: one journey has one target time).
FOLLOWUP_SORTS: dict[str, str] = {
    "newest": N_("Newest first"),
    "due": N_("Soonest due first"),
}
#: The owner filter's values beyond a username.
FOLLOWUP_NOBODY = "-"
#: What a follow-up's history records.
FOLLOWUP_ACTIONS: tuple[str, ...] = (
    "status",
    "owner",
    "note",
    "contact",
    "call",
    "recovery",
    "recovered",
)
#: Emails to the customer of a follow-up: the manager's own message, the recovery survey.
CUSTOMER_EMAIL_CONTACT = "contact"
CUSTOMER_EMAIL_RECOVERY = "recovery"
#: The recovery survey's one question and its answers, from glory to pain: "yes" is a
#: pain turned into glory by the follow-up.
RECOVERY_QUESTION = N_("Did we make it right?")
RECOVERY_ANSWERS: dict[str, str] = {
    "yes": N_("Yes"),
    "partly": N_("Partly"),
    "no": N_("No"),
}
RECOVERY_GLORY = "yes"
#: How long a recovery survey's link stays valid.
RECOVERY_DAYS = 30
#: Items shown per inbox page, and the most a bulk action changes at once.
FOLLOWUP_PAGE_SIZE = 50

# --- integrations ------------------------------------------------------------------------

#: Events a webhook endpoint can ask for: a response's, and a follow-up's status change
#: (so a CRM or helpdesk closes the loop on its side).
RESPONSE_EVENTS: tuple[str, ...] = ("response.created", "response.negative")
FOLLOWUP_STATUS_EVENT = "followup.status_changed"
#: A moment whose pain share over the last seven days is above an endpoint's threshold
#: (checked by the webhook worker; at most one per moment and endpoint in seven days).
PAIN_SHARE_EVENT = "moment.pain_share_exceeded"
WEBHOOK_EVENTS: tuple[str, ...] = (*RESPONSE_EVENTS, FOLLOWUP_STATUS_EVENT, PAIN_SHARE_EVENT)
#: Each event in words, for a manager choosing what an endpoint hears about.
WEBHOOK_EVENT_NAMES: dict[str, str] = {
    "response.created": N_("Every answer"),
    "response.negative": N_("Every answer lived as pain"),
    FOLLOWUP_STATUS_EVENT: N_("A follow-up's status changed"),
    PAIN_SHARE_EVENT: N_("A moment's pain share over 7 days is above the threshold below"),
}
#: The days a pain-share alert looks back over, and waits before reporting a moment again.
PAIN_SHARE_DAYS = 7


class WebhookFormat(StrEnum):
    """What an endpoint receives: our signed JSON events, or a chat message in the
    format of a Slack or a Microsoft Teams incoming webhook."""

    STANDARD = "standard"
    SLACK = "slack"
    TEAMS = "teams"


WEBHOOK_FORMAT_NAMES: dict[str, str] = {
    WebhookFormat.STANDARD: N_("Signed JSON events (Standard Webhooks), for your systems"),
    WebhookFormat.SLACK: N_("A message in a Slack channel (incoming webhook)"),
    WebhookFormat.TEAMS: N_("A message in a Microsoft Teams channel (workflow webhook)"),
}


class Role(StrEnum):
    """Roles of admin accounts: an admin changes things, a viewer only reads."""

    ADMIN = "admin"
    VIEWER = "viewer"


ROLES: tuple[str, ...] = values(Role)
ROLE_LABELS: dict[str, str] = {Role.ADMIN: N_("admin"), Role.VIEWER: N_("viewer")}
#: How long a password-reset link works (it works once).
PASSWORD_RESET_HOURS = 24

#: How often a journey's own digest is sent, and its interval in hours.
DIGEST_FREQUENCIES: dict[str, str] = {
    "hourly": N_("every hour"),
    "daily": N_("every day"),
    "weekly": N_("every week"),
}
DIGEST_HOURS: dict[str, int] = {"hourly": 1, "daily": 24, "weekly": 168}
#: The event a webhook's test button sends (whatever events the endpoint asked for).
WEBHOOK_TEST_EVENT = "webhook.test"
