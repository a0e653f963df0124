"""Rows of each kind, counted in a manager's words: what a customer's data holds, what
retention would change ("2 invitations, 1 réponse et 1 suivi")."""

from __future__ import annotations

from surveyapp.domain import i18n


def counted(counts: dict[str, int], loc: str) -> list[str]:
    """Each kind of row (the audit log's names: invitations, skipped, responses,
    followups, recoveries, emails) counted in the words of ``loc``; kinds of none left
    out."""
    said = []
    for kind, n in counts.items():
        if not n:
            continue
        if kind == "invitations":
            said.append(
                i18n.translate_plural(loc, "%(num)d invitation", "%(num)d invitations", n, num=n)
            )
        elif kind == "skipped":
            said.append(
                i18n.translate_plural(
                    loc,
                    "%(num)d row of a spreadsheet set aside",
                    "%(num)d rows of spreadsheets set aside",
                    n,
                    num=n,
                )
            )
        elif kind == "responses":
            said.append(
                i18n.translate_plural(loc, "%(num)d response", "%(num)d responses", n, num=n)
            )
        elif kind == "followups":
            said.append(
                i18n.translate_plural(loc, "%(num)d follow-up", "%(num)d follow-ups", n, num=n)
            )
        elif kind == "recoveries":
            said.append(
                i18n.translate_plural(
                    loc, "%(num)d recovery survey", "%(num)d recovery surveys", n, num=n
                )
            )
        else:
            said.append(
                i18n.translate_plural(
                    loc, "%(num)d email to the customer", "%(num)d emails to the customer", n, num=n
                )
            )
    return said
