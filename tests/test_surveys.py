"""Survey generation from the per-kind blueprints in survey_templates/."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from surveyapp.domain import blueprints, surveys, vocabulary
from surveyapp.domain.definitions import parse_definition
from surveyapp.domain.resources import BLUEPRINTS_DIR
from surveyapp.domain.vocabulary import KINDS


def journey_with(kind: str, questions=None):
    moment = {"id": "m", "kind": kind, "name": {"fr": "Le moment", "ro": "Momentul"}}
    if questions:
        moment["questions"] = questions
    definition = {
        "id": "j",
        "brand": "Nimbus",
        "default_locale": "fr",
        "locales": ["fr", "ro", "en"],
        "moments": [moment],
    }
    return parse_definition(json.dumps(definition), "json")


def test_every_kind_of_the_format_has_a_blueprint():
    assert set(blueprints.load_blueprints()) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_generated_survey_is_short_and_has_one_deciding_question(kind):
    journey = journey_with(kind)
    survey = surveys.survey_for(journey, journey.moments[0])
    assert 1 <= len(survey.questions) <= 3
    assert sum(q.deciding for q in survey.questions) == 1
    assert survey.deciding.type in vocabulary.DECIDING_TYPES
    assert [q.required for q in survey.questions] == [q.deciding for q in survey.questions]


def test_a_key_shared_by_blueprints_has_one_type_everywhere():
    types: dict[str, set[str]] = {}
    for blueprint in blueprints.load_blueprints().values():
        for question in blueprint.questions:
            types.setdefault(question.key, set()).add(question.type)
    assert {k: t for k, t in types.items() if len(t) > 1} == {}


def test_the_lmot_survey_is_decided_by_nps():
    journey = journey_with("lmot")
    survey = surveys.survey_for(journey, journey.moments[0])
    assert survey.deciding.key == "recommend"
    assert survey.deciding.type == "nps"


def test_a_moment_can_override_its_questions_with_keys_of_other_kinds():
    journey = journey_with("touchpoint", ["experience", "effort", "why"])
    survey = surveys.survey_for(journey, journey.moments[0])
    assert [(q.key, q.type) for q in survey.questions] == [
        ("experience", "polarity"),
        ("effort", "ces"),
        ("why", "text"),
    ]
    assert survey.deciding.key == "experience"


def test_without_polarity_nps_decides_before_csat():
    journey = journey_with("smot", ["satisfaction", "recommend"])
    survey = surveys.survey_for(journey, journey.moments[0])
    assert survey.deciding.key == "recommend"


def test_two_polarity_questions_cannot_both_decide():
    problems = blueprints.check_question_list(["experience", "experience"])
    assert "asks experience twice" in [str(p) for p in problems]


def test_a_survey_may_not_ask_two_different_polarity_questions(tmp_path):
    folder = tmp_path / "survey_templates"
    shutil.copytree(BLUEPRINTS_DIR, folder, ignore=shutil.ignore_patterns("*.md"))
    zmot = yaml.safe_load((folder / "zmot.yaml").read_text())
    zmot["questions"].append({"key": "mood", "type": "polarity", "text": "Your mood?"})
    zmot["ask"] = ["experience", "helped_decide", "missing"]
    (folder / "zmot.yaml").write_text(yaml.safe_dump(zmot))
    known = blueprints.load_blueprints(folder)
    rule = "asks more than one polarity question; exactly one may decide"
    assert rule in [str(p) for p in blueprints.check_question_list(["experience", "mood"], known)]
    assert blueprints.check_question_list(["mood", "why"], known) == []
    zmot["ask"] = ["experience", "mood"]  # a blueprint is held to the same rule
    (folder / "zmot.yaml").write_text(yaml.safe_dump(zmot))
    with pytest.raises(blueprints.BlueprintError, match="more than one polarity question"):
        blueprints.load_blueprints.__wrapped__(folder)


def test_question_text_is_translated_with_moment_and_brand_filled_in():
    journey = journey_with("smot")
    survey = surveys.survey_for(journey, journey.moments[0])
    first, second, _ = survey.questions
    assert survey.question_text(first, "ro") == "Momentul: cum a fost?"
    assert (
        survey.question_text(first, "fr") == "Le moment\u202f: comment cela s’est-il passé\u202f?"
    )
    assert survey.question_text(second, "en") == "How satisfied are you with Nimbus?"
    assert survey.question_text(first, "en") == "Le moment: how did it go?"


def test_survey_as_text_in_romanian():
    journey = journey_with("lmot")
    text = surveys.render_text(surveys.survey_for(journey, journey.moments[0]), "ro")
    assert "Cât de probabil este să recomandați Nimbus unui prieten sau coleg?" in text
    assert "0 = deloc probabil" in text
    assert "(opțional)" in text
