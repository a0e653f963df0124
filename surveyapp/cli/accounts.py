"""``surveyapp admin create|list|delete``: accounts of the admin area."""

from __future__ import annotations

import sys

import click

from surveyapp import storage
from surveyapp.cli.common import open_db
from surveyapp.services import accounts


@click.group()
def admin():
    """Accounts of the admin area (CX managers)."""


def _read_password(from_stdin: bool, prompt: str) -> str:
    """A password from standard input's first line, or asked for twice, unechoed."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


@admin.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(accounts.ROLES),
    default="admin",
    show_default=True,
    help="admin: reads and changes; viewer: reads only.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def admin_create(username, role, password_stdin):
    """Create an account; the password is asked for (or read with --password-stdin).

    Example: surveyapp admin create maria --role viewer
    """
    password = _read_password(password_stdin, "Password")
    try:
        with open_db() as db:
            accounts.create(db, username, password, role)
    except accounts.AccountError as exc:
        raise click.ClickException(f"Cannot create the account: {exc}.") from None
    click.echo(f"created {role} {username.strip()}")


@admin.command("list")
def admin_list():
    """List the accounts and their roles.

    Example: surveyapp admin list
    """
    with open_db() as db:
        users = storage.accounts.list_users(db)
    if not users:
        click.echo("No account yet: `surveyapp admin create NAME`.")
    for user in users:
        click.echo(f"{user['username']}\t{user['role']}\tcreated {user['created_at'][:10]}")


@admin.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def admin_password(username, password_stdin):
    """Give an account a new password; every session it has ends at once.

    Example: surveyapp admin password maria
    """
    password = _read_password(password_stdin, "New password")
    try:
        with open_db() as db:
            accounts.set_password(db, username, password)
    except accounts.AccountError as exc:
        raise click.ClickException(f"Cannot change the password: {exc}.") from None
    click.echo(f"new password for {username}; its sessions have ended")


@admin.command("delete")
@click.argument("username")
def admin_delete(username):
    """Delete an account; its sessions end at once.

    Example: surveyapp admin delete maria
    """
    with open_db() as db:
        if not storage.accounts.delete_user(db, username):
            raise click.ClickException(f"No account '{username}'.")
    click.echo(f"deleted {username}")
