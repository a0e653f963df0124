"""The reader's language: chosen per request, given to templates and lazy strings.

Ours rather than Flask-Babel's (issue 28 asked to adopt it unless it costs measurably):
with Flask-Babel's gettext in the templates, pages rendered per request took 5-7% longer
(``benchmarks/translations.py``, 2026-12-07: 0.631 -> 0.674 ms for a customer's
"already answered" page; 5.8 µs a string against our 0.8, as it reads its context from
``g`` and turns the locale into a string on each call). And it translates only inside a
request, where emails sent by workers and the CLI need the same catalogs outside one:
``domain/i18n.py`` keeps them once for all.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, g, request, url_for

from surveyapp.domain import i18n
from surveyapp.domain.vocabulary import LOCALES, SOURCE_LOCALE
from surveyapp.web import lookups


def choose_locale(
    offered: tuple[str, ...] | list[str], default: str, use_browser: bool = True
) -> str:
    """``?lang=``, then the browser's Accept-Language, then the default; sets ``g.locale``."""
    lang = lookups.get(request.args, "lang", "")
    if lang in offered:
        g.locale = lang
    elif use_browser:
        g.locale = request.accept_languages.best_match(offered) or default
    else:
        g.locale = default
    g.offered_locales = tuple(offered)
    return g.locale


def current_locale() -> str:
    """The locale this request is read in (the browser's choice until a view decides)."""
    return g.get("locale") or choose_locale(LOCALES, SOURCE_LOCALE)


def url_with_lang(code: str) -> str:
    """This page's address in another language (the language switcher's links)."""
    if request.endpoint is None or request.endpoint == "static":
        return f"?lang={code}"
    args = {**request.args.to_dict(), **(request.view_args or {}), "lang": code}
    return url_for(request.endpoint, **args)


def init_app(app: Flask) -> None:
    """Templates and lazy strings translate into the request's locale."""
    i18n.use_locale_from(current_locale)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(
        lambda message: i18n.translations_for(current_locale()).ugettext(message),
        lambda singular, plural, n: i18n.plural_text(current_locale(), singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.filters["number"] = lambda v, digits=1: i18n.number(v, current_locale(), digits)
    app.jinja_env.filters["percent"] = lambda v: i18n.percent(v, current_locale())
    app.jinja_env.filters["hours"] = lambda v: i18n.duration_text(
        timedelta(hours=v), current_locale()
    )
    app.jinja_env.filters["signed"] = lambda v, digits=1: i18n.signed(v, current_locale(), digits)
    # A reason kept as a message (Message.stored), said in the reader's language.
    app.jinja_env.filters["stored"] = lambda kept: i18n.stored_text(kept, current_locale())
    # <time datetime> allows at most milliseconds: keep whole seconds.
    app.jinja_env.filters["html_time"] = lambda stamp: stamp[:19] + "Z"
    app.jinja_env.globals.update(
        language_name=i18n.language_name,
        language_in=lambda code: i18n.language_in(code, current_locale()),
        url_with_lang=url_with_lang,
        current_locale=current_locale,
    )
