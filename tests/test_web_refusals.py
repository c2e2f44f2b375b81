"""A value in the address that a page refuses (``/cases?status=bogus``, a date, a score, days) is
said in the page's language: Chinese for a person who reads Chinese, English otherwise; the API
keeps answering in English."""

from __future__ import annotations

import html

import pytest
from web_support import build_world, log_in


@pytest.fixture
def web(tmp_path):
    return build_world(tmp_path).web()


def page(web, login: str, path: str):
    client = web.test_client()
    assert log_in(client, login).status_code == 302
    answer = client.get(path)
    return answer.status_code, html.unescape(answer.get_data(as_text=True))


def test_a_bogus_status_is_refused_in_chinese_on_a_chinese_page(web):
    code, text = page(web, "ana", "/cases?status=bogus")  # ana reads Chinese
    assert code == 400
    assert "状态须为以下之一：new, assessing, action, closed" in text
    assert "status must be one of" not in text


def test_a_bogus_status_is_refused_in_english_on_an_english_page(web):
    code, text = page(web, "vic", "/cases?status=bogus")
    assert code == 400 and "status must be one of new, assessing, action, closed" in text


@pytest.mark.parametrize(
    ("path", "zh"),
    [
        ("/cases?due=soon", "期限天数须为整数：soon"),
        ("/?since=yesterday", "日期格式须为 YYYY-MM-DD：yesterday"),
        ("/?min_score=2", "相关度须在 0 到 1 之间：2"),
    ],
)
def test_other_refused_filters_speak_chinese_too(web, path, zh):
    code, text = page(web, "ana", path)
    assert code == 400 and zh in text


def test_what_the_person_typed_is_shown_escaped(web):
    client = web.test_client()
    log_in(client, "ana")
    answer = client.get("/?since=<script>x")
    assert answer.status_code == 400 and "<script>" not in answer.get_data(as_text=True)
