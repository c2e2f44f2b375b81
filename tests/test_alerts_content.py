"""What an alert shows, on real office documents: the abstract cut at a sentence, the first claim,
reasons in whole words, the watchlist's title from its file."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from alerts_support import NOW, add_match, alert_rows, make_test_app

from warning.classify.featurize import terms
from warning.delivery.content import cut_at_sentence, first_claim
from warning.delivery.dispatch import dispatch
from warning.delivery.queue import queue_alerts
from warning.delivery.reasons import readable_terms
from warning.sources.ingest import ingest_paths
from warning.store.publications import get_publication

FIXTURES = Path(__file__).parent / "fixtures"
WATCHLISTS = Path(__file__).resolve().parents[1] / "watchlists"


def stored(tmp_path, *parts: str):
    from warning.store import open_db

    db = open_db(tmp_path / "real.db")
    ingest_paths(db, [FIXTURES.joinpath(*parts)])
    return db


def test_abstract_is_cut_at_a_sentence_near_600_characters(tmp_path):
    db = stored(tmp_path, "uspto", "grant_v4-5_US11147202B2.xml")
    abstract = get_publication(db, "US-11147202-B2").abstracts["en"]
    assert len(abstract) > 720  # the real abstract is longer than an alert shows
    shown = cut_at_sentence(abstract)
    # the real abstract is one long sentence: it is cut at the clause end nearest 600 characters
    assert 300 <= len(shown) <= 722 and shown.endswith("; …")
    assert abstract.startswith(shown[:-2])
    assert cut_at_sentence("Short. Abstract.") == "Short. Abstract."


def test_first_claim_of_real_grants(tmp_path):
    db = stored(tmp_path, "uspto", "grant_v4-5_US11147202B2.xml")
    claims = get_publication(db, "US-11147202-B2").claims["en"]
    claim = first_claim(claims)
    assert claims.startswith("1. ") and claims.splitlines()[0][3:].startswith(claim[:40])  # number dropped
    assert "claim 1" not in claim  # a dependent claim refers to an earlier one; the first cannot
    ep = stored(tmp_path, "ep", "EP3383757B1_v1-5-1.xml")
    ep_claims = get_publication(ep, "EP-3383757-B1").claims
    assert set(ep_claims) == {"de", "en", "fr"}
    english = first_claim(ep_claims["en"])
    assert english and "claim 1" not in english.lower() and len(english) <= 1300


def test_numbered_claims_end_at_claim_two():
    claims = (
        "1. A battery pack comprising:\na cell; and\na case.\n2. The battery pack of claim 1, wherein ..."
    )
    assert first_claim(claims) == "A battery pack comprising: a cell; and a case."


def test_reasons_are_whole_words_of_the_text(tmp_path):
    db = stored(tmp_path, "uspto", "grant_v4-5_US11147202B2.xml")
    pub = get_publication(db, "US-11147202-B2")
    text = pub.abstracts["en"] + "\n" + pub.titles["en"]
    features = terms(text)  # words, 6-letter stems, pairs and 5-grams, as the classifier sees them
    stems = [t for t in features if len(t) == 6 and " " not in t and not re.search(rf"\b{t}\b", text, re.I)]
    assert stems  # the real text does give stems that are not words
    shown = readable_terms(stems[:20] + features[:20], text, limit=40)
    assert shown
    for phrase in shown:
        assert re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE), phrase
    assert not set(stems) & {p.lower() for p in shown}


def test_cjk_features_become_words_or_are_left_out():
    text = "スクーター用のバッテリーパックと電池モジュールを備えた電動二輪車"
    # a katakana character stands for the katakana word around it; a lone Han character for nothing
    assert readable_terms(["ュ", "ー", "スク", "電池", "池"], text) == ["モジュール", "スクーター", "電池"]
    assert readable_terms(["池"], text) == ["電池"]  # the short Han word around it
    assert readable_terms(["用", "の"], text) == []  # one character alone is no word
    assert readable_terms(["cylind", "batter"], "nothing of the sort") == []


def test_watchlist_titles_come_from_the_files_into_alerts(tmp_path):
    shutil.copytree(WATCHLISTS, tmp_path / "watchlists")
    app = make_test_app(
        tmp_path,
        'watchlists = "watchlists"\n[[subscribers]]\nname = "acme"\nlanguage = "zh"\n'
        'watchlists = ["motorcycles"]\nfile = "out.jsonl"\n',
    )
    add_match(app, "EP-4123456-A1", abstracts={"en": "A motorcycle with a turbocharger. " * 30})
    queue_alerts(app, now=NOW)
    (row,) = alert_rows(app)
    assert (
        '"watchlist_title": {"zh": "摩托车及其发动机", "en": "Motorcycles and their engines"}'
        in row["payload"]
    )
    titles = {r["name"]: r["title_en"] for r in app.db.query("SELECT name, title_en FROM watchlists")}
    assert titles["nev-batteries"] == "New-energy vehicle batteries"


def test_alerts_link_to_the_web_apps_page_of_the_publication(tmp_path):
    app = make_test_app(
        tmp_path,
        '[alerts]\nweb_url = "https://warning.example.org/"\n'
        '[[subscribers]]\nname = "acme"\nlanguage = "en"\nwatchlists = ["motorcycles"]\nfile = "out.jsonl"\n',
    )
    add_match(app, "EP-4123456-A1")
    queue_alerts(app, now=NOW)
    dispatch(app, now=NOW)
    (record,) = [
        json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert (
        "Open in the early-warning app: https://warning.example.org/publications/EP-4123456-A1"
        in record["text"]
    )


def test_an_invalid_watchlist_file_does_not_stop_alerts(tmp_path, caplog):
    shutil.copytree(WATCHLISTS, tmp_path / "watchlists")
    app = make_test_app(
        tmp_path,
        'watchlists = "watchlists"\n[[subscribers]]\nname = "acme"\nlanguage = "en"\n'
        'watchlists = ["motorcycles"]\nfile = "out.jsonl"\n',
    )
    add_match(app, "EP-4123456-A1")
    (tmp_path / "watchlists" / "broken.toml").write_text(
        'name = "broken"\nexlude = ["x"]\n', encoding="utf-8"
    )
    assert queue_alerts(app, now=NOW)["queued"] == 1
    assert "watchlist titles not refreshed" in caplog.text


def test_a_match_decided_by_the_rules_alone_gives_its_keywords_as_reasons():
    """A watchlist whose examples chose the rules (`cv.mode = "rules"`) has no model terms: the
    keywords that hit are the reason, shown as the words of the text they matched."""
    from warning.delivery.payload import match_payload

    evidence = {
        "terms": [],
        "rules": {
            "cpc": ["F02B61/02"],
            "keywords": ["motorcycl", "Motorrad"],
            "competitors": [],
            "exclude": [],
        },
        "model": "trained",
    }
    row = {
        "publication_id": "EP-4713583-A1",
        "watchlist": "motorcycles",
        "score": 0.85,
        "evidence": json.dumps(evidence),
        "titles": json.dumps(
            {"en": "Internal combustion engine for a motorcycle", "de": "Motor für ein Motorrad"}
        ),
        "title_text": "Internal combustion engine for a motorcycle Motor für ein Motorrad",
    }
    assert match_payload(row)["reasons"] == ["motorcycle", "Motorrad"]
    evidence["rules"]["keywords"] = []  # a code alone: no words to show, the rule says why
    row["evidence"] = json.dumps(evidence)
    payload = match_payload(row)
    assert payload["reasons"] == [] and payload["rules"]["cpc"] == ["F02B61/02"]


def test_a_grant_alert_names_its_challenge_window_and_whether_it_has_passed(tmp_path):
    """Real Indian grants from the IPO journal: one published in 2018 (its post-grant opposition
    year had passed when the alert was queued), one whose journal date is moved to the week
    before (open for a year)."""
    from warning.store.matches import record_batch

    app = make_test_app(
        tmp_path,
        '[[subscribers]]\nname = "acme"\nlanguage = "en"\nwatchlists = ["motorcycles"]\nfile = "en.jsonl"\n'
        '[[subscribers]]\nname = "acme-zh"\nlanguage = "zh"\nwatchlists = ["motorcycles"]\nfile = "zh.jsonl"\n',
    )
    ingest_paths(app.db, [FIXTURES / "exports" / "ipo_india_grants_2018_2019_cut.csv"])
    app.db.execute("UPDATE publications SET publication_date = '2026-11-20' WHERE id = 'IN-318004-B'")
    app.db.conn.commit()
    evidence = json.dumps({"terms": [["motorcycle", 1.0]], "rules": {}, "model": "trained"})
    rows = [(pid, "motorcycles", 0.9, 0.5, evidence, "v1", "2026-11-24T17:00:00+00:00") for pid in
            ("IN-300255-B", "IN-318004-B")]  # fmt: skip
    record_batch(app.db, rows, [])
    queue_alerts(app, now=NOW)
    dispatch(app, now=NOW)
    english = {r["items"][0]["publication_id"]: r for r in map(json.loads, (tmp_path / "en.jsonl").open())}
    assert "Deadlines: IN post-grant opposition 2019-08-31 (passed)" in english["IN-300255-B"]["text"]
    assert "Deadlines: IN post-grant opposition 2027-11-20\n" in english["IN-318004-B"]["text"]
    chinese = {r["items"][0]["publication_id"]: r for r in map(json.loads, (tmp_path / "zh.jsonl").open())}
    assert "期限：印度授权后异议期限 2019-08-31（已过）" in chinese["IN-300255-B"]["text"]
    page = (tmp_path / english["IN-318004-B"]["page"]).read_text(encoding="utf-8")
    assert "IN post-grant opposition 2027-11-20" in page


def test_an_application_opens_no_challenge_window_and_says_none(tmp_path):
    app = make_test_app(
        tmp_path,
        '[[subscribers]]\nname = "acme"\nlanguage = "en"\nwatchlists = ["motorcycles"]\nfile = "out.jsonl"\n',
    )
    add_match(app, "CN-118000001-A")
    queue_alerts(app, now=NOW)
    dispatch(app, now=NOW)
    (record,) = [json.loads(line) for line in (tmp_path / "out.jsonl").open()]
    assert "Deadlines" not in record["text"] and record["items"][0]["deadlines"] == []
