"""The journey editor: create, edit or duplicate a journey in the browser, preview each
moment's survey in each language, and publish it exactly as ``journey load`` would.

Admins only. The draft is the posted form (:mod:`editor_form`); publishing stores through
:func:`storage.journeys.store_journeys` with the version the page started from, so the second of
two admins editing one journey is refused (409) and nothing is overwritten.
"""

from __future__ import annotations

import functools

from flask import current_app, g, redirect, render_template, request, url_for
from flask_login import current_user

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.branding import MAX_LOGO_BYTES, read_logo
from surveyapp.domain.completeness import fallbacks, text_count
from surveyapp.domain.definitions import logo_address
from surveyapp.domain.i18n import N_
from surveyapp.domain.journeys import MAX_MOMENTS, Journey, validate
from surveyapp.domain.problems import DefinitionError, problem
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.vocabulary import KIND_EXPLANATIONS, KIND_LABELS, KINDS, LOCALES
from surveyapp.web.admin import confirm, editor_form
from surveyapp.web.admin.base import admin_meta, bp, journey_or_404, login_required
from surveyapp.web.admin.editor_form import EditorForm
from surveyapp.web.database import get_db
from surveyapp.web.headers import allow_frames_from_self, frames_from_self
from surveyapp.web.survey import forms as survey_forms

#: A definition is at most 256 KiB; its form, with its field names, a little more.
MAX_POST_BYTES = 512 * 1024
MOVES = ("up", "down", "remove", "questions")


@bp.route("/new-journey", methods=["GET", "POST"])
@login_required("admin")
def new_journey():
    """A new journey, empty or (``?from=<journey>``) a copy of one."""
    source = request.args.get("from")
    if request.method == "GET" and source:
        original = journey_or_404(source)
        data = editor_form.fields_of(original, 0, copy=True)
    else:
        data = editor_form.new_journey(g.locale)
    return _editor(None, data)


@bp.route("/j/<journey_id>/edit", methods=["GET", "POST"])
@login_required("admin")
def edit_journey(journey_id: str):
    """The published journey, to change and publish again."""
    journey = journey_or_404(journey_id)
    version = storage.journey_versions.latest_number(get_db(), journey.id)
    return _editor(journey, editor_form.fields_of(journey, version))


def _editor(stored: Journey | None, data: dict):
    """The editor's one page, for every button of its form."""
    db = get_db()
    status, context = 200, {"focus": None, "problems": {}, "summary": [], "incomplete": []}
    if request.method == "GET":
        form = EditorForm(data=data, meta=admin_meta())
        context["published"] = request.args.get("published", type=int)
        context["unchanged"] = bool(request.args.get("unchanged"))
    else:
        request.max_content_length = MAX_POST_BYTES
        form = EditorForm(request.form, meta=admin_meta())
        action = request.form.get("action", "check")
        if _posted_moments() > MAX_MOMENTS:
            # Never publish part of what was sent: the moments past the limit would vanish.
            status = 422
            reason = N_("A journey may have at most %(max)s moments.")
            context["summary"] = [(None, "", i18n.translate(g.locale, reason, max=MAX_MOMENTS))]
        elif not form.validate():
            status = 400
            context["expired"] = True
        elif action == "logo":
            refused = _uploaded_logo(form)
            if refused:
                status = 422
                context["summary"] = [("logo_file", "", refused)]
        elif action == "add" or action.partition("-")[0] in MOVES:
            form, context["focus"], refused = _rearranged(form, action)
            if refused:
                status = 422
                context["summary"] = [(None, "", refused)]
        else:
            publish = action == "publish"
            if publish and _retiring(form, stored) and not confirm.confirmed():
                asked = _ask_to_retire(form, stored)
                if asked is not None:
                    return asked
            status, found = _checked(form, stored, publish=publish)
            if status == 303:  # published: the editor shows it as it is now
                return redirect(url_for(".edit_journey", journey_id=form.slug.data, **found), 303)
            context.update(found)
    editor_form.prepare(form, g.locale)
    context["retiring"] = _retiring(form, stored)
    kept = storage.journeys.logo(db, form.logo.data) if form.logo.data else None
    page = render_template(
        "admin/editor.html",
        form=form,
        stored=stored,
        kinds=[(k, KIND_LABELS[k], KIND_EXPLANATIONS[k]) for k in KINDS],
        kind_explanations=KIND_EXPLANATIONS,
        kind_questions=functools.partial(editor_form.kind_questions, g.locale, form),
        all_locales=LOCALES,
        offered=editor_form.offered(form),
        max_moments=MAX_MOMENTS,
        logo_kept=kept is not None,
        logo_type=kept[0] if kept else None,
        field_attrs=_field_attrs(context["problems"], context.get("missing") or {}),
        select=editor_form.select,
        text_input=editor_form.text_input,
        **context,
    )
    return frames_from_self(page), status


def _uploaded_logo(form: EditorForm) -> str | None:
    """Check the uploaded logo and keep its bytes, the form naming it from now on (it is
    published with the journey); or why it is refused, in the manager's words."""
    upload = request.files.get("logo_file")
    if upload is None or not upload.filename:
        return i18n.translate(g.locale, N_("Choose a PNG or JPEG file, then upload it."))
    logo, message, values = read_logo(upload.read(MAX_LOGO_BYTES + 1))
    if message:
        reason = i18n.translate(g.locale, message, **values)
        return i18n.translate(g.locale, N_("The logo was not kept: %(reason)s."), reason=reason)
    storage.journeys.keep_logo(get_db(), logo, storage.iso(storage.utcnow()))
    form.logo.data, form.remove_logo.data = logo.sha256, False
    return None


def _posted_moments() -> int:
    """How many moments the post holds (the form keeps at most MAX_MOMENTS)."""
    indices = {key.split("-", 2)[1] for key in request.form if key.startswith("moments-")}
    return len(indices)


def _field_attrs(problems: dict, missing: dict):
    """The template's helper: a field's attributes that tie it to its help, its problem
    and what its readers get instead, so a screen reader says them with the field."""

    def attrs(field_id: str, help_id: str | None = None, extra: dict | None = None) -> dict:
        found = dict(extra or {})
        described = [help_id] if help_id else []
        if field_id and problems.get(field_id):
            described.append(f"{field_id}-error")
            found["aria-invalid"] = "true"
        if field_id and missing.get(field_id):
            described.append(f"{field_id}-missing")
        if described:
            found["aria-describedby"] = " ".join(described)
        return found

    return attrs


def _rearranged(form: EditorForm, action: str):
    """The form after adding, moving or removing a moment: (the new form, the field to
    focus, why it was refused or None)."""
    state = form.data
    moments = state["moments"]
    verb, _, number = action.partition("-")
    index = int(number) if number.isdigit() else -1
    refused, focus = None, None
    if verb == "add":
        if len(moments) >= MAX_MOMENTS:
            refused = i18n.translate(
                g.locale, N_("A journey may have at most %(max)s moments."), max=MAX_MOMENTS
            )
        else:
            moments.append(editor_form.blank_moment())
            index = len(moments) - 1
            focus = f"moments-{index}-name_{state['default_locale'] or g.locale}"
    elif 0 <= index < len(moments):
        if verb == "questions":  # show its own questions, to choose them
            moments[index]["own"] = "1"
            focus = f"moments-{index}-question_1"
        elif verb == "remove":
            if len(moments) == 1:
                refused = i18n.translate(g.locale, N_("A journey needs at least one moment."))
            else:
                moments.pop(index)
                focus = f"moments-{min(index, len(moments) - 1)}-name_{state['default_locale']}"
        else:
            other = index - 1 if verb == "up" else index + 1
            if 0 <= other < len(moments):
                moments[index], moments[other] = moments[other], moments[index]
                # The button pressed, now on the moved moment: keyboard users keep their place.
                focus = f"{verb}-{other}"
    state.pop("csrf_token", None)
    return EditorForm(formdata=None, data=state, meta=admin_meta()), focus, refused


def _checked(form: EditorForm, stored: Journey | None, *, publish: bool):
    """Check the form's definition as `journey check` does and, for ``publish``, store
    it: (status, what the page shows), or (303, the published version's query)."""
    db = get_db()
    logo = storage.journeys.logo(db, form.logo.data) if form.logo.data else None
    definition = editor_form.definition_of(form, logo_address(*logo) if logo else None)
    journey, problems = None, []
    try:
        journey = validate(definition)
    except DefinitionError as exc:
        problems = exc.problems
    slug = definition["id"]
    if stored is None and slug and storage.journeys.get_journey(db, slug) is not None:
        problems.append(problem("id", N_("is the id of another journey: choose another one")))
    if stored is not None and slug != stored.id:
        # The id is part of every link sent: changing it would orphan them all.
        problems.append(problem("id", N_("cannot change: copy the journey instead")))
    if problems:
        by_field, summary = editor_form.place_problems(form, problems, g.locale)
        return 422, {"problems": by_field, "summary": summary}
    missing = fallbacks(journey)
    found = {
        "missing": _missing_by_field(form, missing),
        "completeness": _completeness(journey, missing),
    }
    if not publish:
        return 200, {**found, "checked": True}
    if missing and not form.publish_incomplete.data:
        return 422, {**found, "incomplete": _incomplete(form, missing)}
    based_on = int(form.based_on.data) if (form.based_on.data or "").isdigit() else -1
    try:
        (report,) = storage.journeys.store_journeys(
            db, [journey], author=current_user["username"], based_on=max(based_on, 0)
        )
    except storage.journey_versions.StaleVersion as stale:
        return 409, {**found, "stale": stale, "new": stored is None}
    current_app.logger.info(
        "journey %s %s in the editor by %s", journey.id, report.status, current_user["username"]
    )
    if report.version is None:
        return 303, {"unchanged": 1}
    return 303, {"published": report.version}


def _missing_by_field(form: EditorForm, missing) -> dict[str, str]:
    """What readers of an empty text will read instead, by the field left empty."""
    shown = {}
    for fallback in missing:
        path = fallback.path
        field_id = editor_form.field_for(
            form, path if path.startswith("after_answer") else f"{path}.{fallback.locale}"
        )
        if field_id:
            shown[field_id] = fallback.instead().text(g.locale)
    return shown


def _incomplete(form: EditorForm, missing) -> list[str]:
    """Each empty text named as the page names its field, with what its readers get."""
    lines = []
    for field_id, instead in _missing_by_field(form, missing).items():
        name = editor_form.field_name(form, field_id, g.locale)
        lines.append(
            i18n.translate(g.locale, N_("%(path)s: %(reason)s"), path=name, reason=instead)
        )
    return lines


def _completeness(journey: Journey, missing) -> list[dict]:
    """Each language's texts: how many are written, and which fall back (``missing``,
    the journey's fallbacks, already found by the check)."""
    texts = text_count(journey)
    rows = []
    for locale in journey.locales:
        lacking = [f for f in missing if f.locale == locale]
        rows.append(
            {"locale": locale, "written": texts - len(lacking), "texts": texts, "missing": lacking}
        )
    return rows


def _ask_to_retire(form: EditorForm, stored: Journey):
    """The confirmation page of a publication that retires moments, or None when it
    would not publish anyway (its problems are then shown as they would be)."""
    dry, found = _checked(form, stored, publish=False)
    if dry != 200 or (found["missing"] and not form.publish_incomplete.data):
        return None
    counts = storage.tallies.moment_tallies(get_db(), stored.id)
    retiring = [m for m in stored.moments if m.id in _retiring(form, stored)]
    return confirm.ask_first(
        question=i18n.translate_plural(
            g.locale,
            "Publish and retire %(num)s moment?",
            "Publish and retire %(num)s moments?",
            len(retiring),
            num=i18n.number(len(retiring), g.locale, 0),
        ),
        consequences=[
            i18n.translate_plural(
                g.locale,
                "The moment “%(name)s” gets no new answers; its %(num)s response is kept "
                "and still counts in its history.",
                "The moment “%(name)s” gets no new answers; its %(num)s responses are kept "
                "and still count in its history.",
                counts.get(m.id, {}).get("responses", 0),
                name=m.display_name(g.locale, stored.default_locale),
                num=i18n.number(counts.get(m.id, {}).get("responses", 0), g.locale, 0),
            )
            for m in retiring
        ]
        + [i18n.translate(g.locale, BRING_BACK)],
        button=i18n.translate(g.locale, N_("Publish and retire")),
        back=url_for(".edit_journey", journey_id=stored.id),
        final=False,
    )


#: Said on the confirmation of a publication that retires moments.
BRING_BACK = N_("A moment added again with the same id comes back with its history.")


def _retiring(form: EditorForm, stored: Journey | None) -> list[str]:
    """The published moments this draft leaves out: publishing retires them."""
    if stored is None:
        return []
    kept = {entry.form.id.data for entry in form.moments}
    return [m.id for m in stored.moments if m.id not in kept]


@bp.route("/editor-preview", methods=["GET", "POST"])
@login_required("admin")
def editor_preview():
    """One moment of the draft as its customers will see it (in the editor's frame, or
    a tab of its own without JavaScript)."""
    g.offered_locales = ()  # no language switcher inside the frame
    if request.method == "GET":
        return allow_frames_from_self(render_template("admin/editor_preview.html", waiting=True))
    request.max_content_length = MAX_POST_BYTES
    form = EditorForm(request.form, meta=admin_meta())
    number = request.args.get("moment", "")
    index = int(number) if number.isdigit() else -1
    if not form.validate() or not 0 <= index < len(form.moments):
        page = render_template("admin/editor_preview.html", expired=True)
        return allow_frames_from_self(page), 400
    definition = editor_form.definition_of(form, None)
    locales = definition["locales"]
    # Not ?lang=, which would switch the manager's own language.
    locale = request.args.get("language") if request.args.get("language") in locales else None
    # This moment alone, in a journey that needs nothing else to be right yet.
    draft = {
        "id": "preview",
        "brand": definition["brand"] or "…",
        "default_locale": definition["default_locale"],
        "locales": locales,
        "moments": [{**definition["moments"][index], "id": "preview"}],
        **({"branding": {"accent": form.accent.data}} if form.accent.data else {}),
    }
    try:
        journey = validate(draft)
    except DefinitionError as exc:
        reasons = [p.why.text(g.locale) for p in exc.problems]
        page = render_template("admin/editor_preview.html", reasons=reasons, number=index + 1)
        return allow_frames_from_self(page)
    locale = locale or journey.default_locale
    survey = survey_for(journey, journey.moments[0])
    g.locale, g.offered_locales = locale, ()
    page = render_template(
        "survey.html",
        survey=survey,
        form=survey_forms.survey_form(survey, locale, None, admin_meta()),
        locale=locale,
        notice=None,
        moment_name=survey.moment_name(locale),
        action="",
        preview=True,
        back=None,
    )
    return allow_frames_from_self(page)
