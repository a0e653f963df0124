"""The journey editor's form: a whole definition on one page, with or without JavaScript.

The form is the draft: every button posts all of it back (add, move or remove a moment,
check, preview, publish), so nothing is stored before it is published. What is published
is built into the same data a YAML file holds and checked by the same
:func:`~surveyapp.domain.journeys.validate` as ``journey check``; each problem's path
(``moments[1].name.ro``) is then shown beside the field it names, in the manager's words.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    FieldList,
    FileField,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from surveyapp.domain import i18n
from surveyapp.domain.blueprints import load_blueprints
from surveyapp.domain.i18n import N_
from surveyapp.domain.i18n import lazy_translate as _l
from surveyapp.domain.journeys import MAX_MOMENTS, Journey
from surveyapp.domain.problems import Problem
from surveyapp.domain.vocabulary import (
    KIND_LABELS,
    KINDS,
    LOCALES,
    MAX_QUESTIONS,
    MOMENT_CHANNEL_LABELS,
    MOMENT_CHANNELS,
    QUESTION_TYPE_LABELS,
)
from surveyapp.web.forms import BaseForm, without_nul

QUESTION_SLOTS = tuple(f"question_{n}" for n in range(1, MAX_QUESTIONS + 1))


def _strip(value):
    return without_nul(value).strip() if isinstance(value, str) else value


def _text(label: str, **kwargs) -> StringField:
    return StringField(label, filters=[_strip], **kwargs)


class _MomentFields(Form):
    """One moment's fields (inside the editor's form, which carries the CSRF token)."""

    # "1" when the moment is published: its id is then part of links already sent.
    stored = HiddenField()
    # "1" when the page shows its own questions (else it asks those of its kind).
    own = HiddenField()
    id = _text(_l("Id (part of its links: a-z, 0-9 and -)"))
    # Any posted value reaches the journey's validation, which names a tampered one.
    kind = SelectField(
        _l("Kind of moment"),
        choices=[SelectChoice(kind, _l(KIND_LABELS[kind])) for kind in KINDS],
        validate_choice=False,
    )
    channel = SelectField(
        _l("Where it happens"),
        choices=[SelectChoice(c, _l(MOMENT_CHANNEL_LABELS[c])) for c in MOMENT_CHANNELS],
        validate_choice=False,
        default="other",
    )
    outcome = BooleanField(_l("An outcome: what the other moments are measured against"))


for _locale in LOCALES:
    setattr(_MomentFields, f"name_{_locale}", _text(_l("Name")))
    setattr(_MomentFields, f"description_{_locale}", _text(_l("Description")))
for _slot in QUESTION_SLOTS:
    setattr(_MomentFields, _slot, SelectField(_l("Question"), validate_choice=False))


class EditorForm(BaseForm):
    """A journey's whole definition, as the editor shows it."""

    slug = _text(_l("Journey id (part of every link: a-z, 0-9 and -)"))
    brand = _text(_l("Brand, as customers read it"))
    locales = SelectMultipleField(
        _l("Languages offered to customers"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    default_locale = SelectField(_l("Default language"), validate_choice=False)
    moments = FieldList(FormField(_MomentFields), min_entries=1, max_entries=MAX_MOMENTS)
    accent = _text(_l("Accent colour (#rrggbb; optional)"))
    logo = HiddenField()
    remove_logo = BooleanField(_l("Remove the logo"))
    # Read only by the "Upload the logo" button; its bytes are checked and kept, and
    # the hidden logo field names them from then on.
    logo_file = FileField(_l("A new logo (PNG or JPEG, at most 100 KiB and 1,000 pixels a side)"))
    contact_offer = BooleanField(
        _l("After a bad experience, offer to leave an email or phone number to be contacted")
    )
    # The version the page started from: a publication since then is refused.
    based_on = HiddenField()
    publish_incomplete = BooleanField(
        _l(
            "Publish even if texts are missing in a language "
            "(its customers read them in the default language)"
        )
    )


for _locale in LOCALES:
    setattr(EditorForm, f"review_{_locale}", _text(_l("Review page address")))


def blank_moment() -> dict[str, Any]:
    """A new moment's fields."""
    return {"stored": "", "id": "", "kind": "touchpoint", "channel": "other"}


def new_journey(locale: str) -> dict[str, Any]:
    """The fields of a journey not written yet: the manager's language first."""
    return {"locales": [locale], "default_locale": locale, "moments": [blank_moment()]}


def fields_of(journey: Journey, version: int, *, copy: bool = False) -> dict[str, Any]:
    """The editor's fields for a published journey (``copy``: as the start of a new one)."""
    branding, after = journey.branding, journey.after_answer
    links = dict(after.review_links) if after else {}
    data: dict[str, Any] = {
        "slug": f"{journey.id}-copy" if copy else journey.id,
        "brand": journey.brand,
        "locales": list(journey.locales),
        "default_locale": journey.default_locale,
        "accent": branding.accent if branding and branding.accent else "",
        "logo": branding.logo.sha256 if branding and branding.logo else "",
        "contact_offer": bool(after and after.contact_offer),
        "based_on": "0" if copy else str(version),
        "moments": [],
    }
    for locale in LOCALES:
        data[f"review_{locale}"] = links.get(locale, "")
    for moment in journey.moments:
        fields = {
            "stored": "" if copy else "1",
            "id": moment.id,
            "kind": moment.kind,
            "channel": moment.channel,
            "own": "1" if moment.questions is not None else "",
            "outcome": moment.outcome,
        }
        for locale in LOCALES:
            fields[f"name_{locale}"] = moment.name.get(locale, "")
            fields[f"description_{locale}"] = moment.description.get(locale, "")
        for slot, key in zip(QUESTION_SLOTS, moment.questions or (), strict=False):
            fields[slot] = key
        data["moments"].append(fields)
    return data


def offered(form: EditorForm) -> list[str]:
    """The languages ticked, in the order posted (the published order is kept)."""
    return [locale for locale in dict.fromkeys(form.locales.data or []) if isinstance(locale, str)]


def definition_of(form: EditorForm, logo_address: str | None) -> dict[str, Any]:
    """The definition the form holds, as a YAML file would hold it. ``logo_address``:
    the kept logo as a data: address, or None."""
    locales = offered(form)
    data: dict[str, Any] = {
        "id": form.slug.data or "",
        "brand": form.brand.data or "",
        "default_locale": form.default_locale.data or "",
        "locales": locales,
        "moments": [],
    }
    for entry in form.moments:
        moment = entry.form
        fields: dict[str, Any] = {
            "id": moment.id.data or "",
            "kind": moment.kind.data or "",
            "name": _texts(moment, "name", locales) or "",
            "channel": moment.channel.data or "other",
        }
        if description := _texts(moment, "description", locales):
            fields["description"] = description
        if moment.outcome.data:
            fields["outcome"] = True
        # No question chosen: the moment asks those of its kind (its blueprint).
        chosen = [key for slot in QUESTION_SLOTS if (key := getattr(moment, slot).data)]
        if chosen:
            fields["questions"] = chosen
        data["moments"].append(fields)
    branding = {}
    if form.accent.data:
        branding["accent"] = form.accent.data
    if logo_address and not form.remove_logo.data:
        branding["logo"] = logo_address
    if branding:
        data["branding"] = branding
    links = {
        locale: link
        for locale in locales
        if locale in LOCALES and (link := getattr(form, f"review_{locale}").data)
    }
    after = {"review_links": links} if links else {}
    if form.contact_offer.data:
        after["contact_offer"] = True
    if after:
        data["after_answer"] = after
    return data


def _attributes(attrs: dict) -> str:
    """HTML attributes, escaped: True gives the bare name, False and None nothing."""
    return " ".join(
        key if value is True else f'{key.replace("_", "-")}="{escape(value)}"'
        for key, value in attrs.items()
        if value is not None and value is not False
    )


def select(field: SelectField, **attrs) -> Markup:
    """A select field as WTForms renders it, in a tenth of the time: a 50-moment journey
    has hundreds of fields, and every button renders the page again."""
    options = "".join(
        f'<option{" selected" if selected else ""} value="{escape(value)}">'
        f"{escape(str(label))}</option>"
        for value, label, selected, _ in field.iter_choices()
    )
    attributes = _attributes({"id": field.id, "name": field.name, **attrs})
    # Every value and label is escaped above: this joins escaped text only.
    return Markup(f"<select {attributes}>{options}</select>")  # noqa: S704 # nosec B704


def text_input(field, kind: str = "text", **attrs) -> Markup:
    """A text (or hidden) input as WTForms renders it, the same way as :func:`select`."""
    found = {"id": field.id, "name": field.name, "type": kind, "value": field.data or "", **attrs}
    # Escaped by _attributes.
    return Markup(f"<input {_attributes(found)}>")  # noqa: S704 # nosec B704


def _texts(moment: Form, key: str, locales: list[str]) -> dict[str, str]:
    """A moment's text in each offered locale where one is written."""
    return {
        locale: text
        for locale in locales
        if locale in LOCALES and (text := getattr(moment, f"{key}_{locale}").data)
    }


def prepare(form: EditorForm, locale: str, brand: str = "") -> None:
    """The choices whose labels are built for the reader: languages (the journey's own
    first, in their order) and each moment's questions, shown as customers read them."""
    ticked = offered(form)
    order = [loc for loc in ticked if loc in LOCALES]
    order += [loc for loc in LOCALES if loc not in order]
    form.locales.choices = [(loc, i18n.language_name(loc)) for loc in order]
    form.default_locale.choices = [(loc, i18n.language_name(loc)) for loc in order]
    questions = question_choices(locale, brand or form.brand.data or "")
    for entry in form.moments:
        for slot in QUESTION_SLOTS:
            getattr(entry.form, slot).choices = questions


def question_choices(locale: str, brand: str) -> list[tuple[str, str]]:
    """Every question of survey_templates/, labelled with its text in ``locale`` and its
    type, for a moment that asks its own."""
    choices = [("", "—")]
    seen = set()
    for blueprint in load_blueprints().values():
        for question in blueprint.questions:
            if question.key in seen:
                continue
            seen.add(question.key)
            text = i18n.translate(locale, question.text, moment="…", brand=brand or "…")
            kind_of = i18n.translate(locale, QUESTION_TYPE_LABELS[question.type])
            choices.append((question.key, f"{text} ({kind_of})"))
    return choices


def kind_questions(locale: str, form: EditorForm, moment: Form) -> list[str]:
    """What ``moment`` asks when it chooses no questions of its own (its kind's), as it
    reads in ``locale``, with its name in that language or the default one."""
    blueprint = load_blueprints().get(moment.kind.data)
    if blueprint is None:
        return []
    names = [f"name_{locale}", f"name_{form.default_locale.data}"]
    name = next((moment[n].data for n in names if n in moment and moment[n].data), "…")
    return [
        i18n.translate(locale, q.text, moment=name, brand=form.brand.data or "…")
        for key in blueprint.ask
        if (q := blueprint.question(key)) is not None
    ]


_MOMENT_PATH = re.compile(r"moments\[(\d+)\](?:\.(\w+))?(?:\.(\w+))?")
_JOURNEY_FIELDS = {
    "id": "slug",
    "brand": "brand",
    "default_locale": "default_locale",
    "locales": "locales",
    "branding.accent": "accent",
    "branding.logo": "accent",
    "after_answer.contact_offer": "contact_offer",
}


def field_for(form: EditorForm, path: str) -> str | None:
    """The id of the field a problem's path names (None: the journey as a whole)."""
    found = _MOMENT_PATH.fullmatch(path)
    if found:
        index, key, locale = int(found.group(1)), found.group(2), found.group(3)
        if index >= len(form.moments):
            return None
        moment = form.moments[index].form
        if key in ("name", "description"):
            chosen = locale or form.default_locale.data
            return getattr(moment, f"{key}_{chosen}").id if chosen in LOCALES else None
        if key == "questions":
            return moment.question_1.id
        field = getattr(moment, key, None) if key in ("id", "kind", "channel") else None
        return field.id if field is not None else f"moment-{index}"
    if path.startswith("locales"):
        return "locales"
    if path.startswith("after_answer.review_links."):
        locale = path.rsplit(".", 1)[1]
        return f"review_{locale}" if locale in LOCALES else None
    return _JOURNEY_FIELDS.get(path)


def place_problems(form: EditorForm, problems: list[Problem], locale: str):
    """Each problem beside its field: (reasons by field id, the summary's lines as
    (field id or None, the field's name, the reason))."""
    by_field: dict[str, list[str]] = {}
    summary = []
    for found in problems:
        path = found.path if isinstance(found.path, str) else ""
        field_id = field_for(form, path)
        reason = found.why.text(locale)
        if field_id is None:
            summary.append((None, "", found.text(locale)))
            continue
        by_field.setdefault(field_id, []).append(reason)
        summary.append((field_id, field_name(form, field_id, locale), reason))
    return by_field, summary


def field_name(form: EditorForm, field_id: str, locale: str) -> str:
    """How the summary names a field: its label, and its moment's number."""
    found = re.fullmatch(r"moments-(\d+)-(\w+)|moment-(\d+)", field_id)
    if found is None:
        if field_id.startswith("review_"):
            return i18n.translate(
                locale,
                N_("Review page address (%(language)s)"),
                language=i18n.language_in(field_id.removeprefix("review_"), locale),
            )
        return str(form[field_id].label.text) if field_id in form else ""
    number = int(found.group(1) or found.group(3)) + 1
    key = found.group(2) or ""
    if key.startswith("name_"):
        what = i18n.translate(
            locale, N_("name in %(language)s"), language=i18n.language_in(key[5:], locale)
        )
    elif key.startswith("description_"):
        what = i18n.translate(
            locale, N_("description in %(language)s"), language=i18n.language_in(key[12:], locale)
        )
    elif key.startswith("question_"):
        what = i18n.translate(locale, N_("questions"))
    elif key:
        what = str(form.moments[number - 1].form[key].label.text)
    else:
        return i18n.translate(locale, N_("Moment %(number)s"), number=number)
    return i18n.translate(locale, N_("Moment %(number)s, %(field)s"), number=number, field=what)
