"""The themes of a journey's comments from the browser (admins change them; everyone who
sees the journey reads their shares on the comments pages): a name and words in each of
the journey's languages, added, changed and removed (asked first)."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField, TextAreaField, ValidationError
from wtforms.validators import Length, Optional

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.comment_vocabulary import STEMMER_LANGUAGES
from surveyapp.domain.i18n import N_
from surveyapp.domain.i18n import lazy_translate as _l
from surveyapp.domain.themes import MAX_NAME, MAX_THEMES, MAX_WORD, MAX_WORDS, Theme, split_words
from surveyapp.domain.vocabulary import LOCALES
from surveyapp.web.admin import confirm
from surveyapp.web.admin.base import admin_meta, bp, journey_or_404, login_required
from surveyapp.web.database import get_db
from surveyapp.web.forms import NOT_VALID, BaseForm


def _words_rule(locale: str):
    def check(form, field):
        from surveyapp.domain.comment_words import analyzer  # stemmers: where themes are

        words = split_words(field.data or "")
        if len(words) > MAX_WORDS:
            raise ValidationError(
                i18n.translate(g.locale, N_("At most %(num)s words."), num=MAX_WORDS)
            )
        for word in words:
            if len(word) > MAX_WORD:
                raise ValidationError(
                    i18n.translate(
                        g.locale, N_("The word “%(word)s” is too long."), word=word[:20] + "…"
                    )
                )
            if not analyzer(locale).words(word):
                raise ValidationError(
                    i18n.translate(
                        g.locale,
                        N_("The word “%(word)s” holds only common words and would match nothing."),
                        word=word,
                    )
                )

    return check


class ThemeForm(BaseForm):
    """A theme's name and words in each language (a language left empty: the theme
    does not tag comments written in it)."""


for _code in LOCALES:
    setattr(
        ThemeForm,
        f"name_{_code}",
        StringField(_l("Name"), validators=[Optional(), Length(max=MAX_NAME)]),
    )
    setattr(
        ThemeForm,
        f"words_{_code}",
        TextAreaField(
            _l("Words, separated by commas"),
            validators=[Optional(), Length(max=MAX_WORDS * (MAX_WORD + 2)), _words_rule(_code)],
        ),
    )


def _theme_of(form: ThemeForm, theme_id: int | None, locales) -> Theme | None:
    """The theme the form defines, or None after attaching what is missing to it."""
    names = {c: (getattr(form, f"name_{c}").data or "").strip() for c in locales}
    words = {c: split_words(getattr(form, f"words_{c}").data or "") for c in locales}
    names = {c: n for c, n in names.items() if n}
    words = {c: w for c, w in words.items() if w}
    first = getattr(form, f"name_{locales[0]}")
    if not names:
        first.errors = [i18n.translate(g.locale, N_("Give the theme a name."))]
    if not words:
        getattr(form, f"words_{locales[0]}").errors = [
            i18n.translate(g.locale, N_("Give the theme at least one word."))
        ]
    return Theme(theme_id, names, words) if names and words else None


def _form_of(theme: Theme | None) -> ThemeForm:
    data = {}
    if theme is not None:
        for code in LOCALES:
            data[f"name_{code}"] = theme.names.get(code, "")
            data[f"words_{code}"] = ", ".join(theme.words.get(code, []))
    elif request.args.get("locale") in LOCALES and request.args.get("term"):
        code, term = request.args["locale"], request.args["term"][:MAX_WORD]
        data = {f"name_{code}": term[:1].upper() + term[1:], f"words_{code}": term}
    return ThemeForm(data=data, meta=admin_meta())


def _page(journey, form, theme=None, code=200, notice=None):
    themes = storage.themes.list_themes(get_db(), journey.id)
    return render_template(
        "admin/themes.html",
        journey=journey,
        themes=themes,
        theme=theme,
        form=form,
        locales=[c for c in journey.locales if c in STEMMER_LANGUAGES],
        full=theme is None and len(themes) >= MAX_THEMES,
        max_themes=MAX_THEMES,
        done=request.args.get("done"),
        notice=notice,
    ), code


@bp.route("/j/<journey_id>/themes", methods=["GET", "POST"])
@login_required("admin")
def themes_page(journey_id: str):
    journey = journey_or_404(journey_id)
    if request.method == "GET":
        return _page(journey, _form_of(None))
    form = ThemeForm(request.form, meta=admin_meta())
    valid = form.validate()
    theme = _theme_of(form, None, journey.locales)
    if not valid or theme is None:
        return _page(journey, form, code=422, notice=i18n.translate(g.locale, NOT_VALID))
    if storage.themes.count_themes(get_db(), journey.id) >= MAX_THEMES:
        full = i18n.translate(g.locale, N_("A journey has at most %(num)s themes."), num=MAX_THEMES)
        return _page(journey, form, code=409, notice=full)
    storage.themes.save_theme(get_db(), journey.id, theme, by=current_user["username"])
    return redirect(url_for(".themes_page", journey_id=journey.id, done="added"), 303)


def _stored(journey, theme_id: int) -> Theme:
    found = [t for t in storage.themes.list_themes(get_db(), journey.id) if t.id == theme_id]
    if not found:
        abort(404)
    return found[0]


@bp.route("/j/<journey_id>/themes/<int:theme_id>", methods=["GET", "POST"])
@login_required("admin")
def theme_page(journey_id: str, theme_id: int):
    journey = journey_or_404(journey_id)
    theme = _stored(journey, theme_id)
    if request.method == "GET":
        return _page(journey, _form_of(theme), theme)
    form = ThemeForm(request.form, meta=admin_meta())
    valid = form.validate()
    changed = _theme_of(form, theme.id, journey.locales)
    if not valid or changed is None:
        return _page(journey, form, theme, 422, i18n.translate(g.locale, NOT_VALID))
    storage.themes.save_theme(get_db(), journey.id, changed, by=current_user["username"])
    return redirect(url_for(".themes_page", journey_id=journey.id, done="changed"), 303)


@bp.route("/j/<journey_id>/themes/<int:theme_id>/delete", methods=["POST"])
@login_required("admin")
def theme_delete(journey_id: str, theme_id: int):
    journey = journey_or_404(journey_id)
    theme = _stored(journey, theme_id)
    form = BaseForm(request.form, meta=admin_meta())
    if not form.validate():
        return _page(journey, _form_of(theme), theme, 422, i18n.translate(g.locale, NOT_VALID))
    if not confirm.confirmed():
        return confirm.ask_first(
            question=i18n.translate(
                g.locale,
                N_("Remove the theme “%(theme)s”?"),
                theme=theme.name(g.locale, journey.default_locale),
            ),
            consequences=[
                i18n.translate(
                    g.locale,
                    N_("Comments are no longer tagged with it; the comments stay as they are."),
                )
            ],
            button=i18n.translate(g.locale, N_("Remove the theme")),
            back=url_for(".theme_page", journey_id=journey.id, theme_id=theme.id),
        )
    storage.themes.delete_theme(get_db(), journey.id, theme.id, by=current_user["username"])
    return redirect(url_for(".themes_page", journey_id=journey.id, done="removed"), 303)
