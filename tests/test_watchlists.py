"""Watchlist files: strict validation, keyword / code / competitor matching rules."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from warning.classify.featurize import TextBatch
from warning.classify.rules import RuleSet
from warning.classify.watchlists import (
    keyword_pattern,
    load_watchlist,
    load_watchlists,
    match_keywords,
    normalise_applicant,
    validate_watchlist_dir,
)
from warning.cli import cli
from warning.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
GOOD = """
name = "moto"
title = { zh = "摩托车", en = "Motorcycles" }
description = "Motorcycles and their engines"
keywords = ["motorcycl", "摩托车"]
"""


def write(tmp_path: Path, text: str, name: str = "w.toml") -> Path:
    folder = tmp_path / "watchlists"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_watchlists_are_valid_and_cover_the_example_config():
    assert validate_watchlist_dir(REPO / "watchlists") == []
    names = {w.name for w in load_watchlists(REPO / "watchlists")}
    assert {
        "motorcycles",
        "nev-batteries",
        "led-lighting",
        "rail-transit",
        "medical-devices",
        "drones",
    } <= names
    config = tomllib.loads((REPO / "config.example.toml").read_text(encoding="utf-8"))
    for sub in config["subscribers"]:
        assert set(sub["watchlists"]) <= names
    for w in load_watchlists(REPO / "watchlists"):
        assert w.title["zh"] and w.title["en"] and w.description and w.keywords and (w.cpc or w.ipc)
        assert w.applicants, w.name


def test_unknown_key_names_file_key_and_supported_keys(tmp_path):
    path = write(tmp_path, GOOD + 'exlude = ["toy"]\n')
    with pytest.raises(ConfigError) as err:
        load_watchlists(path.parent)
    message = str(err.value)
    assert (
        str(path) in message
        and "'exlude'" in message
        and "supported keys" in message
        and "exclude" in message
    )


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('description = "x"\nkeywords = ["a"]\n', "name is required"),
        ('name = "x"\nkeywords = ["a"]\n', "description is required"),
        ('name = "x"\ndescription = "y"\ncountries = ["US"]\n', "at least one of"),
        ('name = "x"\ndescription = "y"\nkeywords = ["a"]\nthreshold = 1.5\n', "threshold must be a number"),
        (
            'name = "x"\ndescription = "y"\nkeywords = ["a"]\nthreshold = 0.5\ntarget_precision = 0.9\n',
            "not both",
        ),
        ('name = "x"\ndescription = "y"\nkeywords = "a"\n', "keywords must be a list"),
        (
            'name = "x"\ndescription = "y"\nkeywords = ["a"]\ntitle = { fr = "z" }\n',
            "unknown key 'fr' in [title]",  # as in every config table
        ),
        ('name = "Bad Name"\ndescription = "y"\nkeywords = ["a"]\n', "must be lower-case"),
        (
            'name = "x"\ndescription = "y"\napplicants = [{ name = "A", alias = ["b"] }]\n',
            "unknown key 'alias'",
        ),
        ('name = "x"\ndescription = "y"\nkeywords = ["a"\n', "not valid TOML"),
    ],
)
def test_invalid_watchlists_are_reported(tmp_path, text, fragment):
    path = write(tmp_path, text)
    problems = validate_watchlist_dir(path.parent)
    assert len(problems) == 1
    assert fragment in problems[0] and str(path) in problems[0]


def test_duplicate_names_are_a_problem(tmp_path):
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD, "b.toml")
    problems = validate_watchlist_dir(tmp_path / "watchlists")
    assert len(problems) == 1 and "also used by" in problems[0]


def test_load_by_name_or_path(tmp_path):
    path = write(tmp_path, GOOD + 'seeds = ["US 2013/0101709 A1"]\ncpc = ["B62K 11/04"]\n')
    by_name = load_watchlist("moto", path.parent)
    by_path = load_watchlist(str(path), tmp_path / "elsewhere")
    assert by_name == by_path
    assert by_name.seeds == ("US-20130101709-A1",) and by_name.cpc == ("B62K1104",)
    with pytest.raises(ConfigError, match="known: moto"):
        load_watchlist("bikes", path.parent)


def test_check_config_reports_bad_watchlists(tmp_path):
    write(tmp_path, GOOD + "unknown_key = 1\n")
    config = tmp_path / "config.toml"
    config.write_text('watchlists = "watchlists"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "check-config"])
    assert result.exit_code == 1
    assert "unknown_key" in result.output


def test_shipped_watchlists_pass_check_config_with_the_example_config():
    result = CliRunner().invoke(cli, ["--config", str(REPO / "config.example.toml"), "check-config"])
    assert "watchlist" not in result.output.lower(), result.output


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A TURBOCHARGER for engines", ["turbocharg"]),
        ("a superturbocharger", []),
        ("two-wheeled MOTORCYCLE", ["motorcycl"]),
        ("一种两轮摩托车的车架", ["摩托车"]),
        ("自動二輪車のフレーム", ["自動二輪"]),
        ("Schwinge für ein Motorrad", ["Motorrad"]),
        ("在LED灯中使用", ["LED灯"]),
        ("the swing  arm", []),
        ("the swing arm", ["swing arm"]),
    ],
)
def test_keywords_match_at_word_start_and_anywhere_in_cjk(text, expected):
    keywords = ("turbocharg", "motorcycl", "摩托车", "自動二輪", "Motorrad", "LED灯", "swing arm")
    assert match_keywords(keyword_pattern(keywords), keywords, text) == expected


def test_applicant_normalisation_and_competitors():
    assert normalise_applicant("HONDA MOTOR CO LTD") == normalise_applicant("Honda Motor Co., Ltd.")
    assert normalise_applicant("Piaggio & C. S.p.A.") == normalise_applicant("PIAGGIO & C SPA")
    data = tomllib.loads(
        GOOD
        + 'applicants = ["Honda Motor Co., Ltd.", { name = "Yamaha Motor", aliases = ["ヤマハ発動機株式会社"] }]\n'
    )
    from warning.classify.watchlists import parse_watchlist

    w = parse_watchlist(data, Path("x.toml"))
    applicants = [
        ["HONDA MOTOR CO LTD", "ヤマハ発動機株式会社", "Suzuki Motor Corp"],
        ["Honda Motor Co Ltd Tokyo Branch"],
    ]
    rules = RuleSet([w]).match(TextBatch(["", ""]), [[], []], applicants)  # as classification matches
    assert rules.evidence(0, 0)["competitors"] == ["HONDA MOTOR CO LTD", "ヤマハ発動機株式会社"]
    assert rules.evidence(1, 0)["competitors"] == ["Honda Motor Co Ltd Tokyo Branch"]


def test_code_prefixes():
    from warning.classify.watchlists import parse_watchlist

    w = parse_watchlist({**tomllib.loads(GOOD), "cpc": ["B62K", "F02B 61/02"]}, Path("x.toml"))
    codes = [["B62K 11/04", "F02B 61/02", "H01M 10/05"], ["H01M 10/05"]]
    rules = RuleSet([w]).match(TextBatch(["", ""]), codes, [[], []])
    assert rules.evidence(0, 0)["cpc"] == ["B62K 11/04", "F02B 61/02"]
    assert rules.evidence(1, 0)["cpc"] == []
