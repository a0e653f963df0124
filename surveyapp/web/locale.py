"""The reader's language: chosen per request, given to templates and lazy strings."""

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
        lambda singular, plural, n: i18n.translations_for(current_locale()).ungettext(
            singular, plural, n
        ),
        newstyle=True,
    )
    app.jinja_env.filters["number"] = lambda v, digits=1: i18n.number(v, current_locale(), digits)
    app.jinja_env.filters["percent"] = lambda v: i18n.percent(v, current_locale())
    app.jinja_env.filters["hours"] = lambda v: i18n.duration_text(
        timedelta(hours=v), current_locale()
    )
    app.jinja_env.filters["signed"] = lambda v, digits=1: i18n.signed(v, current_locale(), digits)
    # <time datetime> allows at most milliseconds: keep whole seconds.
    app.jinja_env.filters["html_time"] = lambda stamp: stamp[:19] + "Z"
    app.jinja_env.globals.update(
        language_name=i18n.language_name,
        url_with_lang=url_with_lang,
        current_locale=current_locale,
    )
