"""Classification on the ordinary day and the bad one: nothing relevant, nothing at all, huge records.

Issue 11, items 1 and 3 (classify side): an hour without a match must succeed and move the cursor,
every batch-level function takes empty input, and one oversized or corrupt stored record never
makes a later `classify` fail or run out of memory.
"""

from __future__ import annotations

import json
import shutil
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner

from warning.app import App
from warning.classify import run as classify_run
from warning.classify.code_index import CodeIndex
from warning.classify.evaluate import keyword_baseline, metrics
from warning.classify.evidence import TermTables
from warning.classify.evidence_on_read import matches_with_evidence
from warning.classify.evidence_text import assemble, join_groups, lists_json, weight_text
from warning.classify.featurize import N_FEATURES, TextBatch, featurize, publication_text, terms
from warning.classify.feedback import suggest
from warning.classify.fit import choose_threshold, term_lookup
from warning.classify.keyword_index import KeywordIndex
from warning.classify.model import LinearModel
from warning.classify.product import StackedWeights
from warning.classify.rules import RuleSet
from warning.classify.run import EAGER, Scorer, classify_pending, match_rows
from warning.classify.train import cold_start, retrain_all, strong_hits
from warning.classify.watchlists import Watchlist
from warning.cli import cli
from warning.config.loading import load_config
from warning.models import Publication
from warning.service.runner import JobRunner
from warning.store import open_db
from warning.store.matches import get_matches, max_rowid, publications_after
from warning.store.publications import save_publications

REPO = Path(__file__).resolve().parents[1]
NO_INTS = np.zeros(0, dtype=np.int64)
NO_FEATURES = sp.csr_matrix((0, N_FEATURES), dtype=np.float32)

KEYWORDS = Watchlist("kw", "keywords only", keywords=("motorcycle", "frame"))
CODES = Watchlist("codes", "codes only", cpc=("B62K",))
SEEDS = Watchlist("seeds", "seeds only: no code, no keyword", seeds=("US-1-B1",))
NOTHING = Watchlist("bare", "built in code: no evidence of any kind")
MODEL = LinearModel(
    indices=np.array([5, 9], dtype=np.int64),
    weights=np.array([0.5, -0.2], dtype=np.float32),
    bias=-3.0,
    terms={5: "five"},
)


def row(i: int, text: str = "a plain text about soil", cpc: tuple[str, ...] = ()) -> dict:
    """A publication row as the store reads it for classification."""
    return {"rid": i, "id": f"US-{i}-B1", "country": "US", "title_text": text, "abstract_text": "",
            "claims_text": "", "cpc": list(cpc), "ipc": [], "applicants": []}  # fmt: skip


# ---------------------------------------------------------------- the ordinary hour (item 1)


def site_with(tmp_path: Path, watchlists: Path | None = None, extra: str = "") -> Path:
    """A config with the shipped watchlists (or ``watchlists``) and no trained model."""
    folder = tmp_path / "watchlists"
    shutil.copytree(watchlists or REPO / "watchlists", folder)
    config = tmp_path / "config.toml"
    config.write_text(
        f'database = "w.db"\nwatchlists = "watchlists"\nclassifiers = "classifiers"\n{extra}',
        encoding="utf-8",
    )
    return config


def invoke(config: Path, *args: str, code: int = 0):
    result = CliRunner().invoke(cli, ["--config", str(config), "--db", str(config.parent / "w.db"), *args])
    assert result.exit_code == code, result.output
    return result


def cursors(db_path: Path) -> dict[str, int]:
    db = open_db(db_path)
    try:
        return dict(db.execute("SELECT watchlist, last_rowid FROM classify_cursor").fetchall())
    finally:
        db.conn.close()


def test_classify_of_a_weekly_fragment_without_match_succeeds_and_moves_the_cursor(tmp_path, corpus):
    """The issue's reproduction: shipped watchlists, no model, one ordinary USPTO weekly fragment."""
    config = site_with(tmp_path)
    invoke(config, "ingest", str(corpus("uspto-bulk-xml", "PatentsView-DB", "ipg050104.small.xml")))
    result = invoke(config, "classify")
    assert "25 publication(s) scored against 6 watchlist(s): 0 new match(es)" in result.output
    top = max_rowid(open_db(tmp_path / "w.db"))
    assert top > 0 and cursors(tmp_path / "w.db") == {
        p.stem: top for p in (tmp_path / "watchlists").iterdir()
    }
    again = invoke(config, "classify")
    assert "0 publication(s) scored" in again.output
    status = json.loads(invoke(config, "status", "--json").output)
    assert status["matches"] == 0


def test_the_scheduled_classify_job_succeeds_when_nothing_is_relevant(tmp_path, corpus):
    """The hourly job as the scheduler runs it: classify, queue alerts, auto-open, all ok."""
    config_path = site_with(tmp_path)
    invoke(config_path, "ingest", str(corpus("uspto-bulk-xml", "PatentsView-DB", "ipg050104.small.xml")))
    config = load_config(config_path)
    results = JobRunner(config, tmp_path / "w.db").run("classify")
    assert [(r.name, r.ok, r.error) for r in results] == [("classify", True, "")]
    assert results[0].counts["classify"]["publications"] == 25
    assert set(cursors(tmp_path / "w.db").values()) == {25}


def test_classify_with_an_empty_store_or_no_watchlist(tmp_path):
    config = site_with(tmp_path)
    assert "0 publication(s) scored against 6 watchlist(s)" in invoke(config, "classify").output
    app = App(load_config(config), tmp_path / "w.db")
    shutil.rmtree(tmp_path / "watchlists")
    (tmp_path / "watchlists").mkdir()
    save_publications(app.db, [Publication("US-1-B1", "US", "1", "B1", titles={"en": "motorcycle"})])
    counts = classify_pending(app)
    assert (counts["watchlists"], counts["publications"], counts["errors"]) == (0, 0, {})
    app.close()


@pytest.mark.parametrize(
    ("watchlist", "expected"),
    [
        (SEEDS, []),  # no code or keyword: scored, nothing matches
        (CODES, ["US-2-B1"]),  # only codes: the coded publication matches
        (KEYWORDS, ["US-3-B1"]),
    ],
    ids=["seeds-only", "codes-only", "keywords-only"],
)
def test_classify_pending_with_one_narrow_watchlist(tmp_path, watchlist, expected):
    folder = tmp_path / "wl"
    folder.mkdir()
    lines = [f'name = "{watchlist.name}"', 'description = "test"']
    for key in ("keywords", "cpc", "seeds"):
        if getattr(watchlist, key):
            lines.append(f"{key} = {json.dumps(list(getattr(watchlist, key)))}")
    (folder / f"{watchlist.name}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = site_with(tmp_path, folder)
    app = App(load_config(config), tmp_path / "w.db")
    save_publications(
        app.db,
        [
            Publication("US-1-B1", "US", "1", "B1", titles={"en": "garden soil mixing"}),
            Publication("US-2-B1", "US", "2", "B1", titles={"en": "a frame"}, cpc=["B62K 11/04"]),
            Publication("US-3-B1", "US", "3", "B1", titles={"en": "motorcycle frame"}),
        ],
    )
    counts = classify_pending(app)
    assert counts["publications"] == 3 and counts["errors"] == {}
    assert [m["publication_id"] for m in get_matches(app.db)] == expected
    assert cursors(tmp_path / "w.db") == {watchlist.name: 3}
    app.close()


def test_learning_steps_on_an_empty_store(tmp_path):
    """train (the weekly job), the cold start and `label --suggest` when the store holds nothing."""
    config = site_with(tmp_path)
    app = App(load_config(config), tmp_path / "w.db")
    assert cold_start(app, KEYWORDS) == []
    assert suggest(app, "motorcycles") == []
    counts = retrain_all(app)
    assert (counts["trained"], counts["skipped"], counts["status"]) == (0, 6, "ok")
    app.close()
    failed = invoke(config, "train", "motorcycles", code=1)
    assert "no training examples" in failed.output and "Traceback" not in failed.output


def test_training_on_one_relevant_example_or_on_lines_without_text(tmp_path):
    """A file with one relevant publication trains (nothing to cross-validate, and it says so); a
    file whose publications have no text anywhere stops with that reason."""
    config = site_with(tmp_path)
    one = tmp_path / "one.jsonl"
    titles = ["motorcycle frame with damper"] + [f"garden tool number {i}" for i in range(29)]
    one.write_text(
        "".join(
            json.dumps({"id": f"US-{9000 + i}-B1", "title": t, "label": int(i == 0)}) + "\n"
            for i, t in enumerate(titles)
        ),
        encoding="utf-8",
    )
    out = invoke(config, "train", "motorcycles", "--data", str(one)).output
    assert "1 relevant, 29 irrelevant" in out and "too few examples of a class to cross-validate" in out
    assert "交叉验证" in out and "Traceback" not in out
    bare = tmp_path / "bare.jsonl"
    bare.write_text(json.dumps({"id": "US-1-B1", "label": 1}) + "\n", encoding="utf-8")
    failed = invoke(config, "train", "motorcycles", "--data", str(bare), code=1)
    assert "no publication of" in failed.output and "title, abstract or claims" in failed.output
    assert "no --data was given" not in failed.output


EMPTY_CASES = {
    "featurize no text": (lambda: featurize([]).shape, (0, N_FEATURES)),
    "featurize one empty text": (lambda: featurize([""]).nnz, 0),
    "terms of empty text": (lambda: terms(""), []),
    "publication_text of nothing": (lambda: publication_text({}, {}, {}), ""),
    "keyword index without keys": (lambda: KeywordIndex([], 0).find(TextBatch(["x"])).shape, (1, 0)),
    "keyword index, empty batch": (
        lambda: KeywordIndex([("abc", False, 0)], 1).find(TextBatch([])).shape,
        (0, 1),
    ),
    "code index, no document": (lambda: [len(a) for a in CodeIndex([CODES]).hits([])], [0, 0, 0]),
    "code index, documents without codes": (
        lambda: [len(a) for a in CodeIndex([CODES]).hits([[], []])],
        [0, 0, 0],
    ),
    "rules of no watchlist": (
        lambda: RuleSet([]).match(TextBatch(["x"]), [[]], [[]]).rules_score().shape,
        (1, 0),
    ),
    "rules, empty batch": (
        lambda: RuleSet([KEYWORDS]).match(TextBatch([]), [], []).rules_score().shape,
        (0, 1),
    ),
    "rules of a watchlist without evidence": (
        lambda: RuleSet([NOTHING]).match(TextBatch(["x"]), [[]], [[]]).rules_score().tolist(),
        [[0.0]],
    ),
    "rule evidence of no match": (
        lambda: [
            len(a)
            for a in RuleSet([SEEDS]).match(TextBatch(["x"]), [[]], [[]]).evidence_json(NO_INTS, NO_INTS)
        ],
        [0, 0, 0, 0],
    ),
    "top terms of no match": (
        lambda: [len(a) for a in TermTables([MODEL]).top_terms(NO_INTS, NO_FEATURES, 8)],
        [0, 0, 0],
    ),
    "top terms, no model": (
        lambda: [len(a) for a in TermTables([None]).top_terms(NO_INTS, NO_FEATURES, 8)],
        [0, 0, 0],
    ),
    "top terms, no watchlist": (lambda: len(TermTables([]).terms_json(NO_INTS, NO_FEATURES, 8)), 0),
    "top terms of a row without features": (
        lambda: (
            TermTables([MODEL])
            .terms_json(np.array([0]), sp.csr_matrix((1, N_FEATURES), dtype=np.float32), 8)
            .tolist()
        ),
        [""],
    ),
    "top terms, top = 0": (
        lambda: TermTables([MODEL]).terms_json(np.array([0]), featurize(["five"]), 0).tolist(),
        [""],
    ),
    "join_groups of nothing": (lambda: len(join_groups(NO_INTS, np.zeros(0, dtype=object), 0)), 0),
    "lists_json of nothing": (
        lambda: len(lists_json(NO_INTS, NO_INTS, NO_INTS, np.zeros(0, dtype=object))),
        0,
    ),
    "assemble no match": (lambda: len(assemble(*[np.zeros(0, dtype=object)] * 6)), 0),
    "weight_text of nothing": (lambda: len(weight_text(np.zeros(0, dtype=np.float32))), 0),
    "product with no watchlist": (
        lambda: (
            StackedWeights(sp.csr_matrix((N_FEATURES, 0), dtype=np.float32)).product(featurize(["x"])).shape
        ),
        (1, 0),
    ),
    "evidence of no pair": (
        lambda: Scorer([KEYWORDS], [None]).evidence_json(NO_INTS, NO_INTS, NO_FEATURES, None),
        [],
    ),
    "match_rows, no watchlist": (lambda: match_rows(Scorer([], []), [row(1)], "now"), []),
    "match_rows, no publication": (lambda: match_rows(Scorer([KEYWORDS], [None]), [], "now"), []),
    "match_rows, no match (rules)": (
        lambda: match_rows(Scorer([KEYWORDS, CODES], [None, None]), [row(1), row(2)], "now"),
        [],
    ),
    "match_rows, no match (trained)": (lambda: match_rows(Scorer([KEYWORDS], [MODEL]), [row(1)], "now"), []),
    "match_rows, seeds-only watchlist": (lambda: match_rows(Scorer([SEEDS], [None]), [row(1)], "now"), []),
    "match_rows, watchlist without evidence": (
        lambda: match_rows(Scorer([NOTHING], [None]), [row(1)], "now"),
        [],
    ),
    "match_rows, empty texts": (
        lambda: match_rows(Scorer([KEYWORDS], [None]), [row(1, ""), row(2, "")], "now"),
        [],
    ),
    "strong_hits of nothing": (lambda: strong_hits(RuleSet([KEYWORDS]), [], [], []).tolist(), []),
    "choose_threshold without examples": (lambda: choose_threshold(np.zeros(0), np.zeros(0)), 0.5),
    "term_lookup of nothing": (lambda: term_lookup([], NO_INTS), {}),
    "metrics of nothing": (lambda: metrics(np.zeros(0), np.zeros(0), 0.5)["n"], 0),
    "keyword baseline without keywords": (lambda: keyword_baseline(SEEDS, ["x"], np.zeros(1))["n"], 1),
}


@pytest.mark.parametrize("case", list(EMPTY_CASES), ids=list(EMPTY_CASES))
def test_batch_level_function_on_empty_input(case):
    call, expected = EMPTY_CASES[case]
    assert call() == expected


def test_a_batch_with_matches_and_one_without_in_one_run():
    """The empty-batch path must not disturb the next batch's evidence."""
    scorer = Scorer([KEYWORDS, CODES], [None, None])
    assert match_rows(scorer, [row(1)], "now", EAGER) == []
    found = match_rows(scorer, [row(2, "motorcycle frame", ("B62K11/04",)), row(3)], "now", EAGER)
    assert [(m[0], m[1]) for m in found] == [("US-2-B1", "kw"), ("US-2-B1", "codes")]
    assert json.loads(found[0][4])["rules"]["keywords"] == ["frame", "motorcycle"]
    assert json.loads(found[1][4])["rules"]["cpc"] == ["B62K11/04"]


# ---------------------------------------------------------------- one huge stored record (item 3)


def store_with_huge_abstract(tmp_path: Path, chars: int) -> App:
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = site_with(tmp_path)
    app = App(load_config(config), tmp_path / "w.db")
    huge = ("mud " * (chars // 4 + 1))[:chars]
    pubs = [
        Publication(f"US-{i}-B1", "US", str(i), "B1", titles={"en": f"garden tool {i}"}) for i in range(1, 40)
    ]
    pubs.append(
        Publication(
            "US-99-B1", "US", "99", "B1", titles={"en": "motorcycle swing arm"}, abstracts={"en": huge}
        )
    )
    pubs.append(Publication("US-100-B1", "US", "100", "B1", titles={"en": "scooter handlebar"}))
    save_publications(app.db, pubs)
    return app


def peak_of_classify(app: App) -> tuple[dict, int]:
    tracemalloc.start()
    try:
        counts = classify_pending(app)
        return counts, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_huge_stored_text_field_is_never_decoded_whole(tmp_path):
    """A 6 MB abstract: classify reads at most [classify] max_text_chars of it, so it allocates
    about what the same store with a short abstract costs (decoding it whole costs 6 MB of text and
    several times that in featurizing arrays)."""
    _, baseline = peak_of_classify(store_with_huge_abstract(tmp_path / "small", 100))
    app = store_with_huge_abstract(tmp_path / "huge", 6_000_000)
    counts, peak = peak_of_classify(app)
    assert counts["publications"] == 41 and counts["errors"] == {}
    assert peak < baseline + 4 * 2**20, (
        f"classify allocated {(peak - baseline) / 2**20:.0f} MB more for one huge abstract"
    )
    matched = {m["publication_id"] for m in get_matches(app.db, "motorcycles")}
    assert {"US-99-B1", "US-100-B1"} <= matched
    assert set(cursors(tmp_path / "huge" / "w.db").values()) == {41}
    app.close()


def test_the_text_read_per_field_is_capped_in_sql(tmp_path):
    app = store_with_huge_abstract(tmp_path, 300_000)
    rows = publications_after(app.db, 0, 1000, 100, text_chars=1000)
    huge = next(r for r in rows if r["id"] == "US-99-B1")
    assert len(huge["abstract_text"]) == 1000 and huge["title_text"] == "motorcycle swing arm"
    assert huge["claims_text"] == ""  # claims are read only where there is no title or abstract
    app.close()


def test_max_text_chars_is_configurable(tmp_path):
    """A keyword beyond the cap is not seen; one inside it is."""
    config = site_with(tmp_path, extra="[classify]\nmax_text_chars = 100\n")
    app = App(load_config(config), tmp_path / "w.db")
    padding = "garden soil " * 20  # 240 characters of nothing relevant
    save_publications(
        app.db,
        [
            Publication(
                "US-1-B1",
                "US",
                "1",
                "B1",
                titles={"en": "tool"},
                abstracts={"en": padding + "motorcycle swing arm"},
            ),
            Publication(
                "US-2-B1",
                "US",
                "2",
                "B1",
                titles={"en": "tool"},
                abstracts={"en": "motorcycle swing arm " + padding},
            ),
        ],
    )
    classify_pending(app)
    assert [m["publication_id"] for m in get_matches(app.db, "motorcycles")] == ["US-2-B1"]
    app.close()


def test_claims_are_the_text_only_where_there_is_no_title_or_abstract(tmp_path):
    app = App(load_config(site_with(tmp_path)), tmp_path / "w.db")
    save_publications(
        app.db,
        [
            Publication(
                "US-1-B1", "US", "1", "B1", claims={"en": "1. A motorcycle frame comprising a swing arm."}
            ),
            Publication(
                "US-2-B1", "US", "2", "B1", titles={"en": "soil"}, claims={"en": "1. A motorcycle frame."}
            ),
        ],
    )
    classify_pending(app)
    assert [m["publication_id"] for m in get_matches(app.db, "motorcycles")] == ["US-1-B1"]
    app.close()


def test_a_huge_list_field_is_read_capped(tmp_path):
    """100,000 applicants (a broken export) are cut to the first ones; the competitor is still found."""
    app = App(load_config(site_with(tmp_path)), tmp_path / "w.db")
    applicants = ["Honda Motor Co., Ltd.", *(f"Holder {i}" for i in range(100_000))]
    save_publications(
        app.db,
        [Publication("US-1-B1", "US", "1", "B1", titles={"en": "motorcycle frame"}, applicants=applicants)],
    )
    rows = publications_after(app.db, 0, 10, 10, text_chars=20_000)
    assert rows[0]["applicants"][0] == "Honda Motor Co., Ltd." and len(rows[0]["applicants"]) <= 1000
    classify_pending(app)
    (match,) = matches_with_evidence(app, "motorcycles")
    assert match["evidence"]["rules"]["competitors"] == ["Honda Motor Co., Ltd."]
    app.close()


def test_a_corrupt_stored_field_does_not_stop_classify(tmp_path, caplog):
    """A row whose list column is not JSON (written by hand, a bad restore) is scored without it."""
    app = App(load_config(site_with(tmp_path)), tmp_path / "w.db")
    save_publications(
        app.db,
        [
            Publication("US-1-B1", "US", "1", "B1", titles={"en": "motorcycle swing arm"}),
            Publication("US-2-B1", "US", "2", "B1", titles={"en": "scooter handlebar"}),
        ],
    )
    app.db.execute("UPDATE publications SET cpc = 'B62K 11/04', applicants = '[\"cut' WHERE id = 'US-1-B1'")
    counts = classify_pending(app)
    assert counts["publications"] == 2
    assert {m["publication_id"] for m in get_matches(app.db, "motorcycles")} == {"US-1-B1", "US-2-B1"}
    assert "US-1-B1" in caplog.text and "not a JSON list" in caplog.text
    app.close()


def test_a_batch_is_split_by_its_characters_with_the_same_result(monkeypatch):
    """Long texts are featurized a few at a time (memory), and the matches are exactly the same."""
    scorer = Scorer([KEYWORDS, CODES], [None, MODEL])
    rows = [
        row(i, ("motorcycle frame " if i % 3 else "soil ") * 100, ("B62K1/00",) if i % 4 == 0 else ())
        for i in range(30)
    ]
    whole = match_rows(scorer, rows, "now", EAGER)
    monkeypatch.setattr(classify_run, "MAX_BATCH_CHARS", 5_000)
    assert len(classify_run.row_chunks(rows)) > 5
    assert match_rows(scorer, rows, "now", EAGER) == whole and len(whole) == 20
