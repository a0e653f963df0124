"""The surveyapp command, run in-process on a real instance folder."""

from __future__ import annotations

import csv
import io
import json

from surveyapp import storage
from surveyapp.domain import scoring


def test_journey_check_prints_every_problem_as_file_path_reason(run_cli, tmp_path, journeys_dir):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: shop\nbrand: Shop\ndefault_locale: fr\nlocales: [fr]\nmoments:\n"
        "  - {id: a, kind: zmott, name: A}\n  - {id: a, kind: fmot, name: B}\n"
    )
    result = run_cli("journey", "check", journeys_dir / "cafe.yaml", bad)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert (
        f"{bad}: moments[0].kind: 'zmott' is not a kind of moment (zmot, fmot, smot, amot, "
        "lmot, recovery, loyalty, touchpoint)" in lines
    )
    assert f"{bad}: moments[1].id: 'a' is used twice" in lines


def test_journey_check_accepts_valid_files(run_cli, journeys_dir):
    result = run_cli("journey", "check", *sorted(journeys_dir.glob("*.yaml")))
    assert result.exit_code == 0
    assert "cafe: valid (5 moments)" in result.output


def test_journey_load_is_all_or_nothing(run_cli, tmp_path, journeys_dir, db_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x"}')
    result = run_cli("journey", "load", journeys_dir / "cafe.yaml", bad)
    assert result.exit_code == 1
    assert "Nothing was loaded." in result.output
    with storage.open_database(db_path) as db:
        assert storage.journeys.list_journeys(db) == []


def test_journey_load_reports_what_changed(run_cli, journeys_dir):
    first = run_cli("journey", "load", *sorted(journeys_dir.glob("*.yaml")))
    assert first.output.splitlines() == ["cafe: created", "saas-onboarding: created"]
    again = run_cli("journey", "load", journeys_dir / "cafe.yaml")
    assert again.output.strip() == "cafe: unchanged"
    cafe = journeys_dir / "cafe.yaml"
    cafe.write_text(
        cafe.read_text().replace(
            "kind: lmot\n    channel: web\n", "kind: loyalty\n    channel: web\n"
        )
    )
    changed = run_cli("journey", "load", cafe)
    assert changed.output.strip() == "cafe: updated (changed review)"


def test_the_same_journey_id_twice_in_one_load_is_refused(run_cli, journeys_dir, tmp_path):
    copy = tmp_path / "copy.yaml"
    copy.write_text((journeys_dir / "cafe.yaml").read_text())
    result = run_cli("journey", "load", journeys_dir / "cafe.yaml", copy)
    assert result.exit_code == 1
    assert f"{copy}: id: 'cafe' is also the id of" in result.output


def test_journey_list(run_cli, loaded):
    result = run_cli("journey", "list")
    assert "cafe\tCafé des Arts\t5 moments\t0 responses" in result.output


def test_survey_show_prints_the_romanian_survey(run_cli, loaded):
    result = run_cli("survey", "show", "cafe", "meal", "--locale", "ro")
    assert result.exit_code == 0
    assert result.output.startswith("Café des Arts — Masa dumneavoastră\n")
    assert "1. Masa dumneavoastră: cum a fost?" in result.output
    assert "( ) Așa și așa" in result.output


def test_survey_show_names_the_moments_when_one_is_unknown(run_cli, loaded):
    result = run_cli("survey", "show", "cafe", "dessert")
    assert result.exit_code == 1
    assert "Moments: welcome, waiting, meal, bill, review" in result.output


NO_INVITATIONS = scoring.funnel_figures(None)  # no invitation yet: counts 0, rates null


def test_scores_json_lists_moments_in_journey_order(run_cli, client, answer):
    answer("/j/cafe/review?lang=ro", {"recommend": "9"})
    answer("/j/cafe/review", {"recommend": "2", "reason": "froid"})
    data = json.loads(run_cli("scores", "cafe", "--format", "json").output)
    assert data["journey"] == "cafe"
    assert [m["id"] for m in data["moments"]] == ["welcome", "waiting", "meal", "bill", "review"]
    review = data["moments"][-1]
    assert review == {
        "id": "review",
        "kind": "lmot",
        "name": "Votre expérience au Café des Arts",
        "retired": False,
        "responses": 2,
        "positive": 1,
        "neutral": 0,
        "negative": 1,
        "net_score": 0.0,
        "nps": 0.0,
        **NO_INVITATIONS,
    }
    assert data["moments"][0]["net_score"] is None
    assert data["invitations"] == NO_INVITATIONS
    ro_only = json.loads(run_cli("scores", "cafe", "--format", "json", "--locale", "ro").output)
    assert ro_only["moments"][-1]["responses"] == 1


def test_scores_csv_and_table(run_cli, answer):
    answer("/j/cafe/meal", {"experience": "positive", "satisfaction": "4"})
    rows = list(csv.DictReader(io.StringIO(run_cli("scores", "cafe", "--format", "csv").output)))
    meal = next(r for r in rows if r["id"] == "meal")
    assert (meal["responses"], meal["positive"], meal["net_score"], meal["csat_mean"]) == (
        "1",
        "1",
        "100.0",
        "4.0",
    )
    table = run_cli("scores", "cafe").output.splitlines()
    assert table[0].split() == [
        "id",
        "kind",
        "responses",
        "positive",
        "neutral",
        "negative",
        "net_score",
        "nps",
        "csat_mean",
        "ces_mean",
        "invited",
        "answered",
        "response_rate_pct",
    ]
    assert table[3].split()[:7] == ["meal", "smot", "1", "1", "0", "0", "100.0"]


def test_scores_date_filters(run_cli, answer):
    answer("/j/cafe/meal", {"experience": "positive"})
    future = json.loads(
        run_cli("scores", "cafe", "--format", "json", "--since", "2999-01-01").output
    )
    assert future["moments"][2]["responses"] == 0
    bad = run_cli("scores", "cafe", "--since", "yesterday")
    assert bad.exit_code == 2
    assert "'yesterday' is not a date written YYYY-MM-DD" in bad.output


def test_scores_of_an_unknown_journey(run_cli, loaded):
    result = run_cli("scores", "nope")
    assert result.exit_code == 1
    assert "No journey 'nope'. Known: cafe, saas-onboarding" in result.output


def test_every_command_help_shows_an_example(runner):
    from surveyapp.cli import cli

    for path in (["journey", "check"], ["journey", "load"], ["survey", "show"], ["scores"]):
        result = runner.invoke(cli, [*path, "--help"])
        assert "Example: surveyapp" in result.output, path
