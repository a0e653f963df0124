"""Admin accounts from the command line."""

from __future__ import annotations

from surveyapp import storage
from surveyapp.services import accounts


def test_create_list_and_delete_an_account(run_cli, db_path):
    created = run_cli(
        "admin",
        "create",
        "maria",
        "--role",
        "viewer",
        "--password-stdin",
        input="correct horse battery\n",
    )
    assert created.exit_code == 0 and created.output.strip() == "created viewer maria"
    assert run_cli("admin", "list").output.startswith("maria\tviewer\tcreated ")
    with storage.open_database(db_path) as db:
        assert accounts.authenticate(db, "maria", "correct horse battery", "cli").user
    assert run_cli("admin", "delete", "maria").output.strip() == "deleted maria"
    assert run_cli("admin", "delete", "maria").exit_code == 1


def test_the_password_is_asked_twice_when_not_piped(run_cli, db_path):
    result = run_cli(
        "admin", "create", "ion", input="correct horse battery\ncorrect horse battery\n"
    )
    assert result.exit_code == 0
    assert "created admin ion" in result.output
    assert "correct horse battery" not in result.output


def test_a_weak_password_is_refused(run_cli, db_path):
    result = run_cli("admin", "create", "maria", "--password-stdin", input="1234\n")
    assert result.exit_code == 1
    assert "the password needs at least 10 characters" in result.output
    with storage.open_database(db_path) as db:
        assert storage.accounts.list_users(db) == []
