"""Journey definitions: valid files load, every broken one is refused with paths."""

from __future__ import annotations

import html
import json
import re

import pytest
import yaml

from surveyapp import storage
from surveyapp.cli import demo
from surveyapp.domain.definitions import (
    MAX_DEFINITION_BYTES,
    parse_definition,
    read_definition_file,
)
from surveyapp.domain.problems import DefinitionError
from surveyapp.web.app import create_app
from tests.helpers import admin_log_in, sql

MINIMAL = {
    "id": "shop",
    "brand": "Shop & Co <b>",
    "default_locale": "ro",
    "locales": ["ro", "fr"],
    "moments": [
        {"id": "visit", "kind": "fmot", "name": {"ro": "Vizita", "fr": "La visite"}},
        {"id": "recommend", "kind": "lmot", "name": "Recommandation"},
    ],
}


def problems_of(data) -> list[str]:
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text)
    return [str(p) for p in caught.value.problems]


def with_changes(**changes):
    data = json.loads(json.dumps(MINIMAL))
    data.update(changes)
    return data


def test_demo_journeys_are_valid(journeys_dir):
    cafe = read_definition_file(journeys_dir / "cafe.yaml")
    assert cafe.brand == "Café des Arts"
    assert [m.id for m in cafe.moments] == ["welcome", "waiting", "meal", "bill", "review"]
    assert cafe.moment("meal").display_name("ro", "fr") == "Masa dumneavoastră"


def test_yaml_and_json_give_the_same_journey():
    from_yaml = parse_definition(yaml.safe_dump(MINIMAL, allow_unicode=True))
    from_json = parse_definition(json.dumps(MINIMAL), "json")
    assert from_yaml == from_json
    assert from_yaml.digest == from_json.digest


def test_a_name_given_once_serves_every_locale():
    journey = parse_definition(json.dumps(MINIMAL), "json")
    assert journey.moment("recommend").display_name("fr", "ro") == "Recommandation"
    assert journey.moment("recommend").display_name("ro", "ro") == "Recommandation"


def test_a_missing_name_locale_falls_back_to_the_default_locale():
    data = with_changes()
    data["moments"][0]["name"] = {"ro": "Vizita"}
    journey = parse_definition(json.dumps(data), "json")
    assert journey.moment("visit").display_name("fr", "ro") == "Vizita"


def test_a_description_is_checked_like_a_name_and_left_out_when_absent():
    data = with_changes()
    data["moments"][0]["description"] = {"fr": "x" * 301, "ro": "Vizita de sâmbătă"}
    data["moments"][1]["description"] = {"fr": "Sans la langue par défaut"}
    problems = problems_of(data)
    assert "moments[0].description.fr: is longer than 300 characters" in problems
    assert "moments[1].description: needs a description in the default locale 'ro'" in problems
    data["moments"][0]["description"] = "Une ligne\tavec une tabulation"
    assert "moments[0].description: must not contain line breaks, tabs or other control " in (
        "\n".join(problems_of(data))
    )
    plain = parse_definition(json.dumps(MINIMAL), "json")
    assert "description" not in plain.to_dict()["moments"][0]  # digests stay as they were
    data = with_changes()
    data["moments"][0]["description"] = {"ro": "Vizita de sâmbătă"}
    described = parse_definition(json.dumps(data), "json")
    assert described.moment("visit").description == {"ro": "Vizita de sâmbătă"}


def test_every_problem_is_reported_with_its_path():
    data = with_changes(locales=["ro", "de"])
    data["moments"].append({"id": "visit", "kind": "zmott", "name": "x", "channel": "fax"})
    data["moments"].append({"kind": "smot"})
    problems = problems_of(data)
    assert "locales[1]: 'de' is not a supported locale (fr, ro, en)" in problems
    assert "moments[2].id: 'visit' is used twice" in problems
    assert any(
        p.startswith("moments[2].kind: 'zmott' is not a kind of moment (zmot,") for p in problems
    )
    assert any(p.startswith("moments[2].channel: 'fax' is not a channel") for p in problems)
    assert "moments[3].id: is required" in problems
    assert "moments[3].name: is required" in problems


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"brand": ""}, "brand: must be a non-empty text"),
        ({"id": "Shop Co"}, "id: 'Shop Co' is not a slug (1 to 64 of a-z, 0-9 and -)"),
        ({"default_locale": "en"}, "default_locale: 'en' is not one of locales"),
        ({"default_locale": "it"}, "default_locale: 'it' is not a supported locale (fr, ro, en)"),
        ({"locales": []}, "locales: must be a non-empty list of locales (fr, ro, en)"),
        ({"moments": []}, "moments: must be a list of 1 to 50 moments"),
        (
            {"colour": "red"},
            "colour: unknown field (expected one of id, brand, default_locale, locales, "
            "moments, after_answer, branding)",
        ),
    ],
)
def test_a_broken_field_is_named(changes, expected):
    assert expected in problems_of(with_changes(**changes))


def test_a_missing_name_is_refused():
    data = with_changes()
    del data["moments"][0]["name"]
    assert "moments[0].name: is required" in problems_of(data)


def test_too_many_moments_are_refused():
    moments = [{"id": f"m{i}", "kind": "touchpoint", "name": "x"} for i in range(51)]
    assert problems_of(with_changes(moments=moments)) == [
        "moments: has 51 moments; a journey may have at most 50"
    ]


def test_too_many_or_unknown_questions_are_refused():
    data = with_changes()
    data["moments"][0]["questions"] = ["experience", "satisfaction", "effort", "why"]
    data["moments"][1]["questions"] = ["why", "favourite_colour"]
    problems = problems_of(data)
    assert any(
        "moments[0].questions: has 4 questions; a survey asks at most 3" in p for p in problems
    )
    assert any(
        p.startswith("moments[1].questions: 'favourite_colour' is not a question") for p in problems
    )
    assert any(
        p.startswith("moments[1].questions: needs one question that tells glory from pain")
        for p in problems
    )


def test_a_yaml_tag_that_builds_an_object_is_refused():
    text = "id: !!python/object/apply:os.system ['echo hacked']\nbrand: x\n"
    (problem,) = problems_of(text)
    assert problem.startswith("line 1, column 5: not valid YAML: YAML tags that build objects")


def test_a_yaml_syntax_error_says_where():
    (problem,) = problems_of("id: cafe\nbrand: [unclosed\nlocales: fr\n")
    assert problem.startswith("line ")
    assert "not valid YAML" in problem


def test_a_key_given_twice_is_refused():
    (problem,) = problems_of("id: a\nid: b\n")
    assert "the key 'id' is given twice" in problem


def test_json_syntax_errors_say_where():
    with pytest.raises(DefinitionError) as caught:
        parse_definition('{"id": "x",,}', "json")
    assert str(caught.value.problems[0]).startswith("line 1, column 12: not valid JSON")


@pytest.mark.parametrize("text", ["", "   \n", b""])
def test_an_empty_file_is_refused(text):
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text)
    assert str(caught.value.problems[0]) == "the file is empty"


def test_a_huge_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("# " + "x" * MAX_DEFINITION_BYTES + "\n")
    with pytest.raises(DefinitionError) as caught:
        read_definition_file(path)
    assert "a definition may have at most 262,144" in str(caught.value.problems[0])


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(DefinitionError) as caught:
        parse_definition("id: café".encode("latin-1"))
    assert "not UTF-8" in str(caught.value.problems[0])


def test_a_document_that_is_not_a_mapping_is_refused():
    assert problems_of("- just\n- a list\n")[0].startswith("a definition must be a mapping")


def test_the_demo_starts_with_simulated_answers_and_says_they_are(tmp_path, monkeypatch):
    """The README's first command shows a living programme: answers on every journey,
    and every admin page says they are simulated."""
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DEMO": True, "BASE_URL": "http://127.0.0.1:5000"})
    journeys = [read_definition_file(p) for p in sorted(demo.DEMO_JOURNEYS.glob("*.yaml"))]
    with storage.open_database(app.config["DATABASE"]) as db:
        answers = demo.load(db, journeys, "a demo password")
        assert answers > 1000
        for journey in journeys:
            assert storage.responses.count_responses(db, journey.id) > 0
    browser = app.test_client()
    assert admin_log_in(browser, "demo", "a demo password").status_code == 303
    page = browser.get("/admin/j/cafe/insights?lang=en").get_data(as_text=True)
    assert 'id="demo-banner"' in page and "simulated" in page
    assert "label-not_enough_data" not in page  # enough made-up customers per moment
    # Customers said something, in their own language, pain more often than glory.
    said = browser.get("/admin/j/cafe/m/waiting/comments?lang=fr").get_data(as_text=True)
    french = yaml.safe_load(demo.DEMO_COMMENTS.read_text(encoding="utf-8"))["fr"]
    assert any(html.escape(text) in said for texts in french.values() for text in texts)
    # Its words of pain and its themes are there to read.
    assert '<table class="terms pain">' in said and '<table class="themes">' in said
    assert re.search(r">Attente</a></th>\s*<td>\d", said)
    with storage.open_database(app.config["DATABASE"]) as db:
        rows = sql(
            db,
            "SELECT polarity, locale, count(*) FROM responses WHERE comment "
            "IS NOT NULL GROUP BY polarity, locale",
        )
    counts = {(polarity, locale): n for polarity, locale, n in rows}
    assert {locale for _, locale in counts} == {"en", "fr", "ro"}
    assert sum(n for (p, _), n in counts.items() if p == "negative") > 100
