"""The admin area's forms: login, journey upload, invitations, follow-up."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    FileField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from surveyapp.domain.i18n import lazy_translate as _l
from surveyapp.domain.spreadsheet_vocabulary import CSV_ENCODINGS, IMPORT_COLUMN_LABELS
from surveyapp.domain.vocabulary import (
    DIGEST_FREQUENCIES,
    FOLLOWUP_LABELS,
    FOLLOWUP_STATUSES,
    FOLLOWUP_TARGET_MAX_HOURS,
    LOCALES,
    SOURCE_LOCALE,
)
from surveyapp.services.export_files import FORMATS as EXPORT_FORMATS
from surveyapp.web.forms import BaseForm


class LoginForm(BaseForm):
    username = StringField(_l("User name"), validators=[InputRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])


class UploadForm(BaseForm):
    definition = FileField(_l("Journey definition (YAML or JSON)"), validators=[InputRequired()])
    logo = FileField(_l("Logo (PNG or JPEG, at most 100 KiB; optional)"))
    publish_incomplete = BooleanField(
        _l(
            "Publish even if texts are missing in a language "
            "(its customers read them in the default language)"
        )
    )


#: The owner field's value for "nobody" (the item goes back to the shared inbox).
NO_OWNER = ""


class FollowupForm(BaseForm):
    """One item's status, owner and note; ``revision`` is what the page saw, so an edit
    made from a stale page is refused. Owner choices are set per request (the admins)."""

    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(status, _l(FOLLOWUP_LABELS[status])) for status in FOLLOWUP_STATUSES],
    )
    owner = SelectField(_l("Owner"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    revision = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class BulkFollowupForm(BaseForm):
    """One change to the items ticked in the inbox."""

    action = SelectField(
        _l("Action"),
        choices=[
            SelectChoice("assign", _l("Assign to the owner below")),
            SelectChoice("contacted", _l("Mark contacted")),
            SelectChoice("resolved", _l("Mark resolved")),
        ],
    )
    owner = SelectField(_l("Owner"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class ContactForm(BaseForm):
    """An email to the customer of a moment of pain, drafted in their language."""

    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[InputRequired(), Length(max=5000)])


class CallForm(BaseForm):
    """A phone call to the customer of a moment of pain, kept in the item's history."""

    note = TextAreaField(_l("What was said (optional)"), validators=[Optional(), Length(max=2000)])


class DigestForm(BaseForm):
    """A journey's own email digest of new negative responses."""

    to = StringField(
        _l("Send it to (addresses separated by commas)"),
        validators=[Optional(), Length(max=2000)],
    )
    locale = SelectField(
        _l("In"), choices=[SelectChoice(code, code) for code in LOCALES], default=SOURCE_LOCALE
    )
    every = SelectField(
        _l("How often"),
        choices=[
            SelectChoice("", _l("never (no digest of its own)")),
            *(SelectChoice(k, _l(v)) for k, v in DIGEST_FREQUENCIES.items()),
        ],
    )


class TargetForm(BaseForm):
    """The journey's target time to handle a moment of pain."""

    hours = IntegerField(
        _l("Target time to handle a moment of pain (hours)"),
        validators=[InputRequired(), NumberRange(min=1, max=FOLLOWUP_TARGET_MAX_HOURS)],
    )


class ExportForm(BaseForm):
    """An export of responses to prepare, in the format of the button pressed."""

    format = SelectField(_l("Format"), choices=list(EXPORT_FORMATS), validators=[InputRequired()])


class CodeForm(BaseForm):
    """A code of two-factor sign-in: six digits from the app, or a recovery code."""

    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[InputRequired(), Length(max=40)],
    )


class ForgotForm(BaseForm):
    """Who forgot their password: a user name or an email address."""

    name = StringField(
        _l("Your user name or email address"), validators=[InputRequired(), Length(max=254)]
    )


class InviteOneForm(BaseForm):
    """One customer to invite to one moment, typed in; languages are the journey's, set
    per request."""

    customer = StringField(
        _l("Customer (your reference)"), validators=[InputRequired(), Length(max=200)]
    )
    email = StringField(_l("Email (optional)"), validators=[Optional(), Length(max=254)])
    language = SelectField(_l("Language"), choices=[])
    send = BooleanField(_l("Send the invitation by email now"), default=True)


class InviteForm(BaseForm):
    """Customers to invite to one moment: a spreadsheet's CSV, sent now or links only."""

    customers = FileField(
        _l("Customers (CSV: customer, email, language)"), validators=[InputRequired()]
    )
    encoding = SelectField(
        _l("Encoding of the file"),
        choices=[
            SelectChoice("", _l("Found by itself")),
            *(SelectChoice(code, _l(label)) for code, label in CSV_ENCODINGS.items()),
        ],
        default="",
    )
    skip_invalid = BooleanField(_l("Skip invalid rows and invite the others"))
    delivery = RadioField(
        _l("Then"),
        choices=[
            SelectChoice("send", _l("Send the invitations by email now")),
            SelectChoice("links", _l("Only make the links (links.csv, for a mail merge)")),
        ],
        default="send",
        validators=[InputRequired()],
    )


class ColumnsForm(BaseForm):
    """Which column of a spreadsheet holds what, when its first line names them in words
    we do not know; choices are its columns (set by the view)."""

    customer = SelectField(_l(IMPORT_COLUMN_LABELS["customer"]), validators=[InputRequired()])
    email = SelectField(_l(IMPORT_COLUMN_LABELS["email"]))
    locale = SelectField(_l(IMPORT_COLUMN_LABELS["locale"]))

    def fill(self, header: list[str], none_label: str) -> ColumnsForm:
        """Offer ``header``'s columns (email and language may be none)."""
        named = [SelectChoice(name, name) for name in header]
        self.customer.choices = [SelectChoice("", none_label), *named]
        self.email.choices = [SelectChoice("", none_label), *named]
        self.locale.choices = [SelectChoice("", none_label), *named]
        return self

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        seen: set[str] = set()
        for field in (self.customer, self.email, self.locale):
            if field.data and field.data in seen:  # the later of two with one column
                field.errors.append(_l("Each column can hold one thing only."))
            seen.add(field.data)
        return not any(f.errors for f in (self.customer, self.email, self.locale))

    def columns(self) -> dict[str, str]:
        """The columns chosen: {"customer": name, "email": name, ...}, none left out."""
        return {
            field: getattr(self, field).data
            for field in ("customer", "email", "locale")
            if getattr(self, field).data
        }
