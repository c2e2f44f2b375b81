"""The words of alerts and digests as gettext catalogues: zh and en complete, a new language is a
file, a missing word falls back to English and an unknown one is an error."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from warning.delivery import catalogues
from warning.delivery.render import environment

TEMPLATES = Path(catalogues.__file__).parent / "templates"


def test_chinese_and_english_have_the_same_words():
    zh, en = catalogues._read("zh"), catalogues._read("en")
    assert set(zh) == set(en) and len(en) > 80
    assert all(zh[key] for key in zh) and all(en[key] for key in en)


def test_every_word_a_template_asks_for_is_in_the_catalogues():
    asked = {
        word
        for path in TEMPLATES.glob("*.j2")
        for word in re.findall(r"\bt\.([a-z_]+)", path.read_text(encoding="utf-8"))
        if word != "get"
    }
    known = {key.split(".")[0] for key in catalogues._read("en")}
    assert asked and asked <= known, asked - known


def test_a_new_language_is_one_file_and_falls_back_to_english(tmp_path, monkeypatch):
    shutil.copytree(catalogues.LOCALES, tmp_path / "locales")
    ja = tmp_path / "locales" / "ja" / "LC_MESSAGES"
    ja.mkdir(parents=True)
    (ja / "warning.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: ja\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "brand"\nmsgstr "特許早期警戒"\n\nmsgid "steps.grant"\nmsgstr "この特許は登録済みです。"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(catalogues, "LOCALES", tmp_path / "locales")
    catalogues.messages.cache_clear()
    try:
        assert catalogues.languages() == ("zh", "en", "ja")
        words = catalogues.words("ja")
        assert words.brand == "特許早期警戒" and words.steps["grant"] == "この特許は登録済みです。"
        assert words.abstract == "Abstract" and words.steps["application"].startswith("This application")
        with pytest.raises(AttributeError, match="no word 'no_such_word'"):
            _ = words.no_such_word
    finally:
        catalogues.messages.cache_clear()


def test_templates_read_the_catalogues():
    t = environment().globals["L"]["zh"]
    assert t.brand == "专利预警" and t.digest_period["week"] == "周报"
    assert (
        t.legal_category.get("lapse", "lapse") == "失效" and t.legal_category.get("other", "other") == "other"
    )
