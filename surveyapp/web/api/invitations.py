"""Creating personal invitations through the API, one or a batch, optionally emailed."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, g, request

from surveyapp import storage
from surveyapp.domain.errors import Invalid
from surveyapp.services import invitation_csv, invitations, mailer
from surveyapp.web.api import inputs
from surveyapp.web.api.base import bp, idempotent, json_body, replayable
from surveyapp.web.database import get_db


def _items(body: Any) -> tuple[list[dict], bool]:
    """The invitations a body asks for (checked as inputs.py declares them, then for
    what only the service can say), and whether it was one; every problem at once, in
    the order of the items."""
    single = not (isinstance(body, dict) and "invitations" in body)
    schema = inputs.InvitationBody() if single else inputs.InvitationBatchBody()
    loaded, shape = inputs.check(schema, body, where="body" if single else "")
    if loaded is None:  # only items' own problems let the others be checked beside them
        if single or any(not p["path"].startswith("invitations[") for p in shape):
            raise Invalid(_REFUSED, code="invalid_invitations", problems=shape)
        loaded = {"invitations": body["invitations"]}
    items = [loaded] if single else loaded["invitations"]
    problems = list(shape)
    for index, item in enumerate(items):
        path = "body" if single else f"invitations[{index}]"
        if not any(p["path"] == path or p["path"].startswith(f"{path}.") for p in shape):
            _check_item(item, path, problems)
    if problems:
        problems.sort(key=lambda p: _index_of(p["path"]))
        raise Invalid(_REFUSED, code="invalid_invitations", problems=problems)
    return items, single


_REFUSED = "Nothing was created: fix these first."


def _index_of(path: str) -> int:
    """The item a problem's path names (``invitations[3].email``: 3)."""
    return int(path.split("[", 1)[1].split("]", 1)[0]) if path.startswith("invitations[") else -1


def _check_item(item: dict, path: str, problems: list[dict]) -> None:
    """What only the service can say of an item whose shape is right."""

    def problem(field, reason):
        problems.append({"path": f"{path}.{field}", "reason": reason})

    why = invitation_csv.check_request(item["customer"].strip(), item.get("email"))
    if why:
        problem("email" if "email" in why.id else "customer", str(why))
    journey = storage.journeys.get_journey(get_db(), item["journey"])
    if journey is None:
        problem("journey", f"no journey '{item['journey']}'")
    elif journey.moment(item["moment"]) is None:
        problem("moment", f"journey '{journey.id}' has no moment '{item['moment']}'")


@bp.post("/invitations")
def create_invitations():
    items, single = _items(json_body())
    smtp = None
    if any(item["send"] for item in items):
        try:
            smtp = mailer.SmtpSettings.from_config(current_app.config)
        except mailer.MailConfigError as exc:
            raise Invalid(f"Cannot send: {exc}", code="mail_not_configured") from None

    db = get_db()
    made: list[dict] = []

    def create() -> tuple[dict, int]:
        made[:] = _create(db, items)  # one transaction of its own, or the key's
        status = 201 if any(r["status"] == "created" for r in made) else 200
        return _shape(made, single), status

    body, status, replayed = idempotent(create)
    if smtp and not replayed:
        _send(db, items, made, smtp)
        body = _shape(made, single)
        if request.headers.get("Idempotency-Key") is not None:
            storage.apikeys.update_idempotent(
                db, g.api_key["id"], request.headers["Idempotency-Key"], json.dumps(body)
            )
    return replayable(body, status, replayed)


def _shape(results: list[dict], single: bool) -> dict:
    return results[0] if single else {"results": results}


def _create(db, items: list[dict]) -> list[dict]:
    """Create the invitations, grouped by journey and moment; results in request order."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, item in enumerate(items):
        groups.setdefault((item["journey"], item["moment"]), []).append(index)
    results: list[dict] = [{} for _ in items]
    config = current_app.config
    for (journey_id, moment_id), indexes in groups.items():
        journey = storage.journeys.get_journey(db, journey_id)
        requests = [
            invitation_csv.Request(
                items[i]["customer"].strip(), items[i].get("email"), items[i].get("locale")
            )
            for i in indexes
        ]
        outcomes = invitations.create_from_config(db, journey, moment_id, requests, config)
        for index, outcome in zip(indexes, outcomes, strict=True):
            if outcome.status == "created":
                results[index] = {
                    "status": "created",
                    "customer": outcome.request.customer,
                    "token": outcome.token,
                    "url": outcome.link,
                    "locale": outcome.locale,
                    "expires_at": outcome.expires_at,
                    "sent": False,
                    "warnings": [str(w) for w in outcome.warnings],
                }
            else:
                results[index] = {
                    "status": "skipped",
                    "customer": outcome.request.customer,
                    "reason": outcome.reason,
                }
    return results


def _send(db, items, results, smtp) -> None:
    wanted = {
        r["token"]: r
        for item, r in zip(items, results, strict=True)
        if item.get("send") and item.get("email") and r["status"] == "created"
    }
    report = mailer.send_created(
        db, list(wanted), settings=smtp, base_url=current_app.config["BASE_URL"]
    )
    for token, result in wanted.items():
        result["sent"] = token in report.sent_tokens
