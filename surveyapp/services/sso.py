"""Single sign-on with OpenID Connect: the authorization code flow with PKCE, a nonce
and a state, for the admin area.

The provider's documents and keys are fetched, and the code exchanged, through
services/outgoing.py like every request the service makes (public addresses only unless
the operator allowed the host, no redirect, a deadline). Its ID token is verified by
joserfc: signature against the provider's published keys, issuer, audience, expiry and
our nonce. Who may come in is then ours to say: an email the provider verified, in an
allowed domain, with a role in the roles claim (admin, viewer, or viewer of named
journeys); an account is made at first sign-in, or must have been invited (made by an
admin with that email) first, as the operator chose. The provider is the source of an
SSO account's role: it is brought up to date at each sign-in, in the audit log.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from surveyapp import storage
from surveyapp.domain.errors import Invalid
from surveyapp.domain.i18n import N_, Message, message
from surveyapp.services import outgoing, users
from surveyapp.storage import Database

#: Largest provider document or key set read, and how long they are kept per process.
MAX_DOCUMENT = 256 * 1024
DOCUMENT_SECONDS = 3600
#: Clock difference tolerated between the provider and us.
LEEWAY_SECONDS = 60
SCOPES = "openid email profile"
#: What SSO accounts are named by: the sign-in who created them, in the audit log.
BY = "sso"


class Refused(Invalid):
    """A sign-in the service does not let in; the message says why, in the reader's words."""

    code = "sso_refused"


@dataclass(frozen=True)
class Provider:
    """The operator's OIDC_* settings."""

    issuer: str
    client_id: str
    client_secret: str
    name: str
    allowed_domains: tuple[str, ...]
    roles_claim: str
    admin_role: str
    viewer_role: str
    new_accounts: bool
    allowed_hosts: tuple[str, ...]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Provider | None:
        """The provider the operator set, or None when single sign-on is off."""
        if not config.get("OIDC_ISSUER"):
            return None
        domains = config.get("OIDC_ALLOWED_DOMAINS") or ()
        domains = (domains,) if isinstance(domains, str) else tuple(domains)
        return cls(
            issuer=str(config["OIDC_ISSUER"]).rstrip("/"),
            client_id=str(config["OIDC_CLIENT_ID"]),
            client_secret=str(config["OIDC_CLIENT_SECRET"]),
            name=str(config.get("OIDC_NAME") or ""),
            allowed_domains=tuple(d.lower().lstrip("@") for d in domains),
            roles_claim=str(config.get("OIDC_ROLES_CLAIM") or "roles"),
            admin_role=str(config.get("OIDC_ADMIN_ROLE") or "surveyapp-admin"),
            viewer_role=str(config.get("OIDC_VIEWER_ROLE") or "surveyapp-viewer"),
            new_accounts=bool(config.get("OIDC_NEW_ACCOUNTS", True)),
            allowed_hosts=outgoing.allowed_hosts(config),
        )


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, and the role its claims give."""

    email: str
    name: str
    role: str
    journeys: list[str] | None


_documents: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


def _fetch(provider: Provider, url: str, *, form: dict | None = None) -> dict:
    """A JSON document from the provider (a GET, or a POST of ``form``), through the
    outgoing guard; :class:`Refused` with the reason when it cannot be had."""
    try:
        where = outgoing.destination(url, provider.allowed_hosts)
    except outgoing.NotAllowed as refused:
        raise Refused(_unreachable(refused.message)) from None
    headers = {"Accept": "application/json", "User-Agent": "surveyapp-sso/1"}
    body = None
    if form is not None:
        body = urlencode(form).encode()
        pair = f"{provider.client_id}:{provider.client_secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    outcome = outgoing.request(
        where, "POST" if form is not None else "GET", body, headers, read=MAX_DOCUMENT
    )
    if not outcome.ok:
        raise Refused(_unreachable(outcome.error))
    try:
        found = json.loads(outcome.body)
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise Refused(_unreachable(message(N_("its answer is not a JSON object"))))
    return found


def _unreachable(why: Message | None) -> Message:
    return message(N_("The identity provider could not be reached: %(why)s."), why=why)


def _cached(provider: Provider, url: str) -> dict:
    with _lock:
        kept = _documents.get(url)
    if kept and time.monotonic() - kept[0] < DOCUMENT_SECONDS:
        return kept[1]
    found = _fetch(provider, url)
    with _lock:
        _documents[url] = (time.monotonic(), found)
    return found


def discovery(provider: Provider) -> dict:
    """The provider's OpenID configuration, its issuer checked against the setting."""
    found = _cached(provider, provider.issuer + "/.well-known/openid-configuration")
    needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    if str(found.get("issuer", "")).rstrip("/") != provider.issuer or not all(
        isinstance(found.get(key), str) for key in needed
    ):
        why = message(N_("its configuration does not name the issuer set (OIDC_ISSUER)"))
        raise Refused(_unreachable(why))
    return found


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def begin(provider: Provider, redirect_uri: str) -> tuple[str, dict[str, str]]:
    """Where to send the browser, and what to keep in its session until it comes back
    (the state, the nonce and the PKCE verifier)."""
    pending = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "verifier": secrets.token_urlsafe(48),
    }
    query = urlencode(
        {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": pending["state"],
            "nonce": pending["nonce"],
            "code_challenge": _challenge(pending["verifier"]),
            "code_challenge_method": "S256",
        }
    )
    endpoint = discovery(provider)["authorization_endpoint"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}", pending


def finish(
    provider: Provider, answer: Mapping[str, str], pending: Mapping[str, str], redirect_uri: str
) -> Identity:
    """The identity of a browser back from the provider with ``answer`` (its query);
    :class:`Refused` when anything is not as it must be."""
    state = answer.get("state", "")
    if not pending.get("state") or not secrets.compare_digest(state, pending["state"]):
        raise Refused(message(N_("This sign-in was not started here, or was started twice.")))
    if answer.get("error") or not answer.get("code"):
        raise Refused(message(N_("The identity provider did not let you in.")))
    config = discovery(provider)
    tokens = _fetch(
        provider,
        config["token_endpoint"],
        form={
            "grant_type": "authorization_code",
            "code": answer["code"],
            "redirect_uri": redirect_uri,
            "code_verifier": pending["verifier"],
        },
    )
    claims = verified(provider, config, tokens.get("id_token"), pending["nonce"])
    return _identity(provider, claims)


def verified(provider: Provider, config: dict, id_token: Any, nonce: str) -> dict:
    """The ID token's claims, its signature and claims checked."""
    if not isinstance(id_token, str):
        raise Refused(message(N_("The identity provider sent no identity.")))
    # joserfc brings `cryptography`: 18 MB a web worker would carry from its start, for
    # a sign-in now and then; loaded by the worker that verifies one.
    from joserfc import jwt
    from joserfc.errors import JoseError

    try:
        token = _decoded(provider, config["jwks_uri"], id_token)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": provider.client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError, KeyError, TypeError):
        raise Refused(
            message(N_("The identity the provider sent could not be verified."))
        ) from None
    return token.claims


def _decoded(provider: Provider, jwks_uri: str, id_token: str):
    """The token, its signature checked against the provider's keys; read again once if
    none fits (the provider rotated its keys within the hour they are kept)."""
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    try:
        return jwt.decode(id_token, KeySet.import_key_set(_cached(provider, jwks_uri)))
    except JoseError:
        with _lock:
            _documents.pop(jwks_uri, None)
        return jwt.decode(id_token, KeySet.import_key_set(_cached(provider, jwks_uri)))


def _identity(provider: Provider, claims: dict) -> Identity:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or claims.get("email_verified") is False:
        raise Refused(message(N_("The identity provider gave no verified email address.")))
    email = email.strip().lower()
    domain = email.rsplit("@", 1)[1]
    if provider.allowed_domains and domain not in provider.allowed_domains:
        why = N_("Accounts of %(domain)s may not sign in here.")
        raise Refused(message(why, domain=domain))
    roles = claims.get(provider.roles_claim) or []
    roles = [roles] if isinstance(roles, str) else [r for r in roles if isinstance(r, str)]
    prefix = provider.viewer_role + ":"
    if provider.admin_role in roles:
        role, journeys = "admin", None
    elif provider.viewer_role in roles:
        role, journeys = "viewer", None
    elif scoped := sorted({r[len(prefix) :] for r in roles if r.startswith(prefix)}):
        role, journeys = "viewer", scoped
    else:
        raise Refused(message(N_("Your account has no role in this service: ask an admin.")))
    name = claims.get("name") if isinstance(claims.get("name"), str) else email
    return Identity(email=email, name=name, role=role, journeys=journeys)


def account(db: Database, provider: Provider, identity: Identity) -> dict[str, Any]:
    """The account the identity signs in to: found by its email, brought up to date with
    the role the provider gives, or made now if the operator lets first sign-ins in."""
    # A viewer's journeys, as the service knows them: a claim naming only journeys that
    # do not exist (or no longer) gives no role, whether the account is new or not.
    known = [j.id for j in storage.journeys.all_journeys(db)]
    journeys = [j for j in identity.journeys or [] if j in known] or None
    if identity.journeys and not journeys:
        raise Refused(message(N_("Your account has no role in this service: ask an admin.")))
    user = storage.accounts.user_by_email(db, identity.email)
    if user is None:
        if not provider.new_accounts:
            why = N_("No account has this email address: ask an admin to invite you.")
            raise Refused(message(why))
        problems = users.create(
            db,
            username=_username(db, identity.email),
            email=identity.email,
            role=identity.role,
            journeys=journeys,
            known_journeys=known,
            by=BY,
        )
        if problems:
            raise Refused(message(problems[0]))
        user = storage.accounts.user_by_email(db, identity.email)
    if user["disabled_at"]:
        raise Refused(message(N_("This account is disabled: ask an admin.")))
    users.change(db, user, by=BY, role=identity.role, journeys=journeys)
    storage.accounts.mark_login(db, user["id"])
    return storage.accounts.get_user(db, user_id=user["id"])


def _username(db: Database, email: str) -> str:
    """A user name for a new SSO account: the email's local part, made unique."""
    base = re.sub(r"[^A-Za-z0-9._-]", "", email.split("@", 1)[0])[:56] or "user"
    name, number = base, 1
    while storage.accounts.get_user(db, username=name):
        number += 1
        name = f"{base}-{number}"
    return name
