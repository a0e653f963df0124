"""Every email's subject and sender decode to their exact text, in French, Romanian and
English, with long subjects: as a modern client reads them (email.policy.default) and
as a legacy one does (decode_header), from the bytes a real SMTP server received."""

from __future__ import annotations

import dataclasses
import email
from email import policy
from email.header import decode_header, make_header
from email.utils import formataddr, parseaddr

import pytest

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.services import digest, mailer, outreach, recovery, users
from tests.helpers import make_invitation

LONG_BRAND = "Banca Verde — Agenția Cluj-Napoca, Île-de-France și Outre-Mer"


def decoded(raw: bytes, name: str) -> tuple[str, str]:
    """A header as a modern client and as a legacy one decode it."""
    modern = email.message_from_bytes(raw, policy=policy.default)[name]
    legacy = str(make_header(decode_header(email.message_from_bytes(raw)[name])))
    return str(modern), legacy


def subject_lines(raw: bytes) -> list[bytes]:
    """The Subject header's lines as sent, folded."""
    lines, inside = [], False
    for line in raw.split(b"\n\n", 1)[0].splitlines():
        inside = line.startswith(b"Subject:") or (inside and line[:1] in (b" ", b"\t"))
        if inside:
            lines.append(line)
    return lines


def test_a_french_invitation_subject_keeps_every_space_between_encoded_words(
    smtp_server, db, loaded
):
    # The subject of the report: the space of "s’est passé" fell between encoded-words.
    journey = dataclasses.replace(loaded["cafe"], brand="Banca Verde")
    token = make_invitation(db, journey, locale="fr", email="ana@example.fr")
    invitation = storage.invitations.get_invitation(db, token)
    settings = mailer.SmtpSettings.from_config(
        {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server.port, "MAIL_FROM": "Café <s@x.fr>"}
    )
    mailer.Connection(settings).send(
        mailer.compose(invitation, journey, base_url="http://x", sender=settings.sender)
    )
    (raw,) = smtp_server.raw
    expected = mailer.subject_of(journey, "Votre repas", "fr")
    assert "s’est passé" in expected
    assert decoded(raw, "Subject") == (expected, expected)
    assert decoded(raw, "From") == ("Café <s@x.fr>", "Café <s@x.fr>")


def subjects(db, loaded, locale: str) -> dict[str, tuple[str, bytes]]:
    """Each kind of email the service sends, in ``locale``: its subject and its bytes."""
    journey = dataclasses.replace(loaded["cafe"], brand=LONG_BRAND)
    token = make_invitation(db, journey, locale=locale, email="ana@example.fr")
    invitation = storage.invitations.get_invitation(db, token)
    sender = formataddr((LONG_BRAND, "surveys@example.com"))
    made = {}
    for reminder in (False, True):
        message = mailer.compose(
            invitation, journey, base_url="http://x", sender=sender, reminder=reminder
        )
        made["reminder" if reminder else "invitation"] = message
    pains = digest.Digest(moments=[], total=12, listed=0, last_id=1)
    made["digest"] = digest.compose(pains, locale=locale, sender=sender, to=["cx@example.com"])
    long_subject = "Despre vizita dumneavoastră: ne pare rău, „Masa” și așteptarea — " * 2
    made["contact"] = outreach.message(
        sender, to="a@x.ro", subject=long_subject, body="x", locale=locale, reply_to=None
    )
    for kind, subject in (
        ("recovery", i18n.translate(locale, recovery.SUBJECT, brand=LONG_BRAND)),
        ("reset", i18n.translate(locale, users.RESET_SUBJECT)),
    ):
        made[kind] = outreach.message(
            sender, to="a@x.ro", subject=subject, body="x", locale=locale, reply_to=None
        )
    return {kind: (message["Subject"], message.as_bytes()) for kind, message in made.items()}


@pytest.mark.parametrize("locale", ["fr", "ro", "en"])
def test_every_kind_of_email_decodes_to_its_exact_subject_and_sender(db, loaded, locale):
    for kind, (subject, raw) in subjects(db, loaded, locale).items():
        assert decoded(raw, "Subject") == (subject, subject), (kind, locale)
        (sender,) = email.message_from_bytes(raw, policy=policy.default)["From"].addresses
        name, _ = parseaddr(email.message_from_bytes(raw)["From"])
        assert (sender.display_name, str(make_header(decode_header(name)))) == (
            LONG_BRAND,
            LONG_BRAND,
        ), (kind, locale)
        for line in subject_lines(raw):
            assert len(line) <= 78, (kind, line)  # RFC 5322's line length
