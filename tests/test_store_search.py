"""The CJK-capable search index: kept in step by the store, found for 1, 2 and 3+ character
Chinese, Japanese and Korean queries and for Latin words, filled for a store that predates it."""

from __future__ import annotations

from warning.models import Publication
from warning.store import open_db
from warning.store.publications import save_publications
from warning.store.search import count_hits, grams, match_expressions, search_publications


def _pub(number: str, **fields) -> Publication:
    return Publication(id=f"CN-{number}-A", country="CN", number=number, kind="A", **fields)


def _ids(db, query: str) -> list[str]:
    return sorted(r["id"] for r in search_publications(db, query))


def _store(db) -> None:
    save_publications(
        db,
        [
            _pub(
                "1", titles={"zh": "一种锂离子电池的极片", "en": "Electrode sheet of a lithium-ion battery"}
            ),
            _pub("2", titles={"zh": "电动摩托车车架"}, abstracts={"zh": "车架由铝合金制成。"}),
            _pub("3", titles={"ja": "リチウムイオン電池の製造方法"}),
            _pub("4", titles={"ko": "배터리 관리 시스템"}, claims={"ko": "배터리 셀을 포함하는 장치"}),
            _pub("5", titles={"de": "Batteriegehäuse für Fahrzeuge"}, abstracts={"en": "A battery housing."}),
        ],
    )


def test_chinese_queries_of_every_length_find_their_publications(db):
    _store(db)
    assert _ids(db, "电池") == ["CN-1-A"]
    assert _ids(db, "锂离子电池") == ["CN-1-A"]
    assert _ids(db, "片") == ["CN-1-A"]  # a lone character at the end of a run
    assert _ids(db, "池") == ["CN-1-A", "CN-3-A"]  # 电池 and 電池
    assert _ids(db, "车") == ["CN-2-A"]  # ... and at the start of one
    assert _ids(db, "铝合金") == ["CN-2-A"]  # in the abstract
    assert _ids(db, "电池 极片") == ["CN-1-A"]
    assert _ids(db, "电池 车架") == []  # every term must occur
    assert _ids(db, "池电") == []  # the phrase, not its characters anywhere


def test_a_query_of_both_scripts_needs_both(db):
    save_publications(
        db,
        [_pub("7", titles={"zh": "磷酸铁锂电池", "en": "LiFePO4 battery"}), _pub("8", titles={"zh": "电池"})],
    )
    assert _ids(db, "LiFePO4 电池") == ["CN-7-A"]
    assert _ids(db, "LiFePO4电池") == ["CN-7-A"]
    assert _ids(db, "电池") == ["CN-7-A", "CN-8-A"]


def test_japanese_korean_and_latin_text_are_found(db):
    _store(db)
    assert _ids(db, "電池") == ["CN-3-A"]
    assert _ids(db, "リチウム") == ["CN-3-A"]
    assert _ids(db, "배터리") == ["CN-4-A"]
    assert _ids(db, "셀") == ["CN-4-A"]  # in the claims
    assert _ids(db, "battery") == ["CN-1-A", "CN-5-A"]
    assert _ids(db, "BATTERY housing") == ["CN-5-A"]
    assert _ids(db, "batteriegehause") == ["CN-5-A"]  # diacritics removed both ways
    assert count_hits(db, "battery") == 2


def test_title_hits_rank_above_abstract_hits(db):
    save_publications(
        db,
        [
            _pub("10", titles={"en": "Vehicle frame"}, abstracts={"en": "Includes a battery tray."}),
            _pub("11", titles={"en": "Battery tray"}, abstracts={"en": "A tray."}),
        ],
    )
    assert [r["id"] for r in search_publications(db, "battery")] == ["CN-11-A", "CN-10-A"]


def test_a_merged_publication_is_found_by_its_new_text_once(db):
    save_publications(db, [_pub("1", titles={"en": "Electrode sheet"})])
    assert _ids(db, "电池") == []
    save_publications(db, [_pub("1", titles={"zh": "电池极片"})])  # a second source adds Chinese
    assert _ids(db, "电池") == ["CN-1-A"]
    assert _ids(db, "electrode") == ["CN-1-A"]
    save_publications(db, [_pub("1", titles={"zh": "电池极片"})])  # nothing new: still one hit
    assert count_hits(db, "极片") == 1


def test_queries_with_nothing_searchable_or_fts_syntax_find_nothing_and_never_fail(db):
    _store(db)
    for query in ("", "   ", '"', "AND", "* OR NEAR(", "-", '电池"', "「」、。"):
        assert isinstance(search_publications(db, query), list)
    assert match_expressions("  ") == ("", "")
    assert search_publications(db, '"电池"') and search_publications(db, "电池 OR") == []


def test_a_store_written_before_the_index_is_indexed_by_its_migration(tmp_path):
    db = open_db(tmp_path / "old.db")
    _store(db)
    db.execute("DELETE FROM search_index")
    db.execute("DELETE FROM _migrations WHERE name = 'm023_search_index'")
    db.execute("DROP TABLE search_index")
    db.conn.close()
    db = open_db(tmp_path / "old.db")  # migrates again
    assert _ids(db, "电池") == ["CN-1-A"]
    db.conn.close()


def test_the_index_spells_cjk_runs_as_bigrams_and_keeps_no_latin_text():
    assert grams("锂电池") == "锂电 电池 池"
    assert grams("LiFePO4电池pack") == "电池 池"  # Latin words are publications_fts's
    assert grams("An English claim about a battery.") == ""
    assert grams("ｶﾞ電池") == "ガ電 電池 池"  # half-width kana normalised


def test_a_scoped_search_finds_a_visible_hit_ranked_below_many_invisible_ones(db):
    from warning.store import orgs
    from warning.store.matches import record_batch
    from warning.store.scope import Scope
    from warning.store.search import search_visible
    from warning.store.watchlists import set_owner

    orgs.create_org(db, "acme", "Acme", "enterprise")
    orgs.create_org(db, "rival", "Rival", "enterprise")
    set_owner(db, "rivals-line", "rival")
    hidden = [_pub(str(100 + i), titles={"zh": "电池电池"}) for i in range(300)]
    mine = _pub("9", titles={"en": "Frame"}, claims={"zh": "包括电池的车架"})
    save_publications(db, [*hidden, mine])
    at = "2026-11-24T10:00:00+00:00"
    rows = [(p.id, "rivals-line", 0.9, 0.5, "{}", "v1", at) for p in hidden]
    record_batch(db, [*rows, (mine.id, "shared-line", 0.9, 0.5, "{}", "v1", at)], [])
    acme = Scope("acme", "enterprise", None, "reviewer")
    assert [r["id"] for r in search_visible(db, acme, "电池")] == ["CN-9-A"]
    assert [r["id"] for r in search_visible(db, acme, "电池", offset=1)] == []
    assert len(search_visible(db, Scope.programme(), "电池", limit=500)) == 301
    assert (
        search_visible(db, Scope("rival", "enterprise", None, "reviewer"), "电池", limit=3)[0]["id"]
        != "CN-9-A"
    )


def test_publications_without_cjk_text_take_no_room_in_the_index(db):
    save_publications(db, [_pub("20", titles={"en": "Battery tray"}), _pub("21", titles={"zh": "电池托盘"})])
    assert db.execute("SELECT count(*) FROM search_index").fetchone()[0] == 1
    save_publications(db, [_pub("20", titles={"zh": "托盘"})])  # a merge that brings CJK text
    assert _ids(db, "托盘") == ["CN-20-A", "CN-21-A"] and _ids(db, "battery") == ["CN-20-A"]
    db.execute("INSERT INTO search_index(search_index) VALUES('integrity-check')")
