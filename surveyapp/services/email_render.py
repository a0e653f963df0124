"""Our emails as customers and managers see them: Jinja templates in the reader's
language (``templates/email/``), plain text with an HTML alternative under the journey's
brand (its name or logo, its accent), and the headers every message of ours carries."""

from __future__ import annotations

import functools
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from surveyapp.domain import i18n
from surveyapp.domain.journeys import Journey
from surveyapp.services import email_headers

#: The accent of emails of journeys without their own (the pages' default).
DEFAULT_ACCENT = "#0b57d0"


@functools.cache
def environment(locale: str) -> Environment:
    """Jinja for emails in ``locale``: the package's templates, autoescaped HTML, gettext."""
    env = Environment(
        loader=PackageLoader("surveyapp.services", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(
        i18n.translations_for(locale).ugettext,
        lambda singular, plural, n: i18n.plural_text(locale, singular, plural, n),
        newstyle=True,
    )
    return env


def brand_context(journey: Journey, base_url: str) -> dict[str, Any]:
    """What a branded email shows of its journey: ``brand``, ``accent`` (checked for
    contrast on white when the journey was loaded) and ``logo`` (its URL and size, or
    None)."""
    branding = journey.branding
    logo = branding.logo if branding else None
    return {
        "brand": journey.brand,
        "accent": (branding.accent if branding else None) or DEFAULT_ACCENT,
        "logo": {
            "url": f"{base_url}/brand/logo/{logo.sha256}.{logo.extension}",
            # Shown at most 48 px tall, in proportion (mail clients ignore CSS max-height).
            "height": min(48, logo.height),
            "width": round(logo.width * min(48, logo.height) / logo.height),
        }
        if logo
        else None,
    }


def headed(*, sender: str, to: str, subject: str, reply_to: str | None = None) -> EmailMessage:
    """An email with the headers every message of ours carries, its content to come
    (then set Content-Language: setting the content drops Content-* headers)."""
    message = EmailMessage(policy=email_headers.POLICY)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    return message


def render_message(
    template: str,
    context: dict,
    *,
    locale: str,
    subject: str,
    sender: str,
    to: str,
    reply_to: str | None = None,
) -> EmailMessage:
    """An email in ``locale`` from ``email/<template>.txt`` and ``.html``: plain text with
    an HTML alternative, and the headers every message of ours carries."""
    env = environment(locale)
    message = headed(sender=sender, to=to, subject=subject, reply_to=reply_to)
    context = {**context, "locale": locale}
    message.set_content(env.get_template(f"email/{template}.txt").render(context))
    message.add_alternative(
        env.get_template(f"email/{template}.html").render(context), subtype="html"
    )
    # After add_alternative, which moves every Content-* header into the first part.
    message["Content-Language"] = locale
    return message
