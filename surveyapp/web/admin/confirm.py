"""Destructive actions ask first, without JavaScript: the button posts its form as
before, and the answer is a page that says what will happen and offers a red button
that posts the same fields again, confirmed, with a fresh CSRF token (and a way back).
One way for every such action: deleting an account, revoking an API key, removing a
webhook, resolving items in bulk."""

from __future__ import annotations

from flask import g, render_template, request

from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.web import forms
from surveyapp.web.admin.base import admin_meta

#: The field the confirmation page adds to the fields it posts again.
CONFIRMED = "confirmed"


def confirmed() -> bool:
    """Whether this post comes from a confirmation page (its CSRF token is checked by the
    action's own form, as any post's)."""
    return request.form.get(CONFIRMED) == "1"


#: Said last on the page of an action that cannot be taken back.
CANNOT_BE_UNDONE = N_("This cannot be undone.")


def ask_first(
    *, question: str, consequences: list[str], button: str, back: str, final: bool = True
):
    """The confirmation page of this post (``question`` as its heading, what will happen,
    the red ``button``'s words, where Cancel goes), in the manager's words already;
    ``final``: it also says that this cannot be undone."""
    if final:
        consequences = [*consequences, i18n.translate(g.locale, CANNOT_BE_UNDONE)]
    fields = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if not name.endswith("csrf_token") and name != CONFIRMED
    ]
    action = request.path
    if request.query_string:
        action += "?" + request.query_string.decode("ascii", "replace")
    return render_template(
        "admin/confirm.html",
        question=question,
        consequences=consequences,
        button=button,
        back=back,
        fields=fields,
        action=action,
        form=forms.confirm_form(admin_meta(), None),
    )
