"""Alert content: both languages, links to each office's public page, the next step, escaping."""

from __future__ import annotations

from warning.delivery.render import public_links, render_message


def match_row(**payload):
    base = {
        "publication_id": "EP-4123456-A1",
        "country": "EP",
        "number": "4123456",
        "kind_code": "A1",
        "doc_type": "application",
        "titles": {"de": "Motorrad mit Turbolader", "en": "Motorcycle with turbocharger"},
        "lang": "de",
        "applicants": ["HONDA MOTOR CO LTD"],
        "cpc": ["B62K11/04"],
        "publication_date": "2026-11-18",
        "filing_date": "2024-05-02",
        "watchlist": "motorcycles",
        "watchlist_title": {"zh": "摩托车", "en": "Motorcycles"},
        "score": 0.87,
        "terms": [["turbocharg", 0.42], ["motorcycl", 0.3]],
        "reasons": ["turbocharger", "motorcycle"],
        "abstract": {"en": "A motorcycle whose engine has a turbocharger. The intake is short."},
        "claim": {"en": "A motorcycle comprising a turbocharger."},
        "family_countries": ["EP", "JP", "US"],
        "rules": {"cpc": ["B62K11"], "keywords": ["motorcycle"], "competitors": [], "exclude": []},
    }
    return {
        "key": f"match:{payload.get('publication_id', 'EP-4123456-A1')}:m:s:c:a",
        "kind": "match",
        "payload": {**base, **payload},
    }


def test_public_links_per_office():
    assert public_links("WO", "2024123456", "A1")[0]["url"] == (
        "https://patentscope.wipo.int/search/en/detail.jsf?docId=WO2024123456"
    )
    assert public_links("US", "11000000", "B2")[0]["name"] == "USPTO"
    assert [link["name"] for link in public_links("CN", "117000000", "A")] == ["Espacenet"]
    assert public_links("EP", "4123456", "B1")[-1]["url"].endswith("pn%3DEP4123456B1")


def test_english_alert_has_every_fact():
    message = render_message("match", [match_row()], "en")
    assert message.subject == "[Patent early warning] Motorcycles: Motorcycle with turbocharger (EP4123456A1)"
    text = message.text
    for fact in (
        "Title (original): Motorrad mit Turbolader",
        "Title (English): Motorcycle with turbocharger",
        "Country: EP",
        "Application (not granted)",
        "Published: 2026-11-18",
        "Filed: 2024-05-02",
        "Applicants: HONDA MOTOR CO LTD",
        "CPC: B62K11/04",
        "Watchlist: Motorcycles",
        "Relevance: 87%",
        "Why: words in the text: turbocharger, motorcycle; CPC hit: B62K11 (cycles and motorcycles; "
        "frames, steering, suspension); keywords hit: motorcycle",
        "Family countries known so far: EP, JP, US",
        "Abstract: A motorcycle whose engine has a turbocharger. The intake is short.",
        "First independent claim: A motorcycle comprising a turbocharger.",
        "Suggested next step: This application is close to your products",
    ):
        assert fact in text, fact
    assert "competitor" not in text  # an empty rule is not shown


def test_chinese_alert_reads_in_chinese():
    message = render_message(
        "match", [match_row(doc_type="grant", country="US", number="11000000", kind_code="B2")], "zh"
    )
    assert message.subject == "[专利预警] 摩托车：Motorrad mit Turbolader (US11000000B2)"
    assert "文献类型：授权专利" in message.text and "相关度：87%" in message.text
    assert "建议下一步：该专利已授权：请比对权利要求与贵司出口产品" in message.text
    assert (
        "命中原因：文中关键词句：turbocharger、motorcycle；分类号命中：B62K11（自行车、摩托车" in message.text
    )
    assert "同族已知国家/地区：EP、JP、US" in message.text and "首项独立权利要求：" in message.text
    assert "https://image-ppubs.uspto.gov/dirsearch-public/print/downloadPdf/11000000" in message.markdown


def test_html_escapes_titles_and_mrkdwn_escapes_for_slack():
    row = match_row(titles={"en": "Valve <script>alert(1)</script> & seat"}, lang="en")
    message = render_message("match", [row], "en")
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    assert "Valve &lt;script&gt;alert(1)&lt;/script&gt; &amp; seat" in message.slack


def test_notice_from_another_area_renders_title_body_and_link():
    row = {
        "key": "legal:3:abc:acme:email:x",
        "kind": "legal",
        "payload": {
            "title": "EP-4123456-B1: opposition filed",
            "body": "Opposition filed on 2026-11-20.",
            "url": "https://worldwide.espacenet.com/patent/search?q=pn%3DEP4123456B1",
        },
    }
    message = render_message("legal", [row], "en")
    assert message.subject == "[Patent early warning] EP-4123456-B1: opposition filed"
    assert (
        "Opposition filed on 2026-11-20." in message.text
        and 'href="https://worldwide.espacenet.com' in message.html
    )


def test_message_key_is_stable_and_order_independent():
    a, b = match_row(), match_row(publication_id="EP-4000001-A1")
    assert render_message("match", [a, b], "en").key == render_message("match", [b, a], "en").key
    assert render_message("match", [a], "en").key != render_message("match", [b], "en").key


def test_codes_are_explained_by_their_whole_group():
    from warning.delivery.code_titles import code_meaning

    assert code_meaning("B60L50/64", "en") == "electric vehicles powered by on-board sources"
    assert code_meaning("B60L5/00", "en") == "propulsion of electric vehicles"  # not B60L50's meaning
    assert code_meaning("F02B61/023", "zh") == "自行车、摩托车用发动机"
    assert code_meaning("G06F3/01", "en") == "" and code_meaning("not a code", "en") == ""
