"""The web app's pages through Flask's test client on a real store: login, the inbox and its
filters, labelling, the publication page, cases, search, status, digests, and what another
organisation never sees."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook
from web_support import PASSWORD, build_world, csrf_of, form_token, log_in

from warning.delivery.queue import enqueue
from warning.models import QuarantinedDocument
from warning.store.operations import quarantine
from warning.web import create_app
from warning.web import inbox as inbox_module


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


@pytest.fixture
def web(world):
    return world.web()


def client_of(web, login: str | None = None):
    client = web.test_client()
    if login:
        assert log_in(client, login).status_code == 302
    return client


def _ids(html: str) -> list[str]:
    return re.findall(r'class="open" href="/publications/([^"?]+)', html)


def test_every_page_asks_for_a_login_first(web):
    client = client_of(web)
    for path in (
        "/",
        "/search?q=x",
        "/cases",
        "/watchlists",
        "/digests",
        "/status",
        "/publications/CN-1001-A",
    ):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login?next=")


def test_a_wrong_password_is_refused_and_repeated_tries_are_throttled(web):
    client = client_of(web)
    assert log_in(client, "ana", "wrong").status_code == 401
    for _ in range(4):
        log_in(client, "ana", "wrong")
    answer = log_in(client, "ana", PASSWORD)  # right, but too late: the login is throttled
    assert answer.status_code == 429
    assert client.get("/").status_code == 302


def test_the_login_form_needs_its_csrf_token_and_never_redirects_off_site(web):
    client = client_of(web)
    client.get("/login")
    assert client.post("/login", data={"login": "ana", "password": PASSWORD}).status_code == 400
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={
            "login": "ana",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "//evil.example/",
        },
    )
    assert answer.headers["Location"] == "/"


def test_the_inbox_lists_newest_then_highest_and_only_what_the_organisation_sees(web):
    html = client_of(web, "ana").get("/").text
    assert _ids(html) == ["CN-1001-A", "EP-2002-A1", "US-3003-A1", "JP-4004-A"]
    assert "一种锂离子电池包" in html  # ana reads Chinese: the Chinese title
    rival = client_of(web, "rita").get("/").text
    assert _ids(rival) == ["US-3003-A1"]  # nev-batteries is acme's own watchlist


def test_the_inbox_filters(web):
    client = client_of(web, "ana")
    assert _ids(client.get("/?watchlist=motorcycles").text) == ["US-3003-A1"]
    assert _ids(client.get("/?country=ep").text) == ["EP-2002-A1"]
    assert _ids(client.get("/?since=2026-11-24").text) == ["CN-1001-A", "EP-2002-A1"]
    assert _ids(client.get("/?min_score=0.85").text) == ["CN-1001-A", "US-3003-A1"]
    assert (
        _ids(client.get("/?country=FR").text) == []
        and "没有符合条件的记录" in client.get("/?country=FR").text
    )
    bad = client.get("/?since=yesterday")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text and "Traceback" not in bad.text
    assert client.get("/?min_score=7").status_code == 400


def test_labelling_from_the_inbox_writes_the_organisations_label(web, world):
    client = client_of(web, "ana")
    token = form_token(client)
    form = {
        "publication": "CN-1001-A",
        "watchlist": "nev-batteries",
        "label": "relevant",
        "next": "/?reviewed=no#row-0",
    }
    assert client.post("/labels", data=form).status_code == 400  # no CSRF token
    answer = client.post("/labels", data={**form, "csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == "/?reviewed=no#row-0"
    app = world.app()
    rows = list(app.db.query("SELECT org_id, label, origin, who FROM labels"))
    app.close()
    assert rows == [
        {"org_id": "acme", "label": 1, "origin": "reviewer", "who": f"web:{_user_id(world, 'ana')}"}
    ]
    assert "CN-1001-A" not in _ids(client.get("/?reviewed=no").text)
    assert _ids(client.get("/?reviewed=yes").text) == ["CN-1001-A"]
    # a second judgement replaces the first
    client.post("/labels", data={**form, "label": "irrelevant", "csrf_token": token})
    assert 'class="tag no"' in client.get("/?reviewed=yes").text


def test_nobody_labels_what_they_cannot_see_and_viewers_label_nothing(web):
    rita = client_of(web, "rita")
    form = {
        "publication": "CN-1001-A",
        "watchlist": "nev-batteries",
        "label": "relevant",
        "csrf_token": form_token(rita),
    }
    assert rita.post("/labels", data=form).status_code == 404
    vic = client_of(web, "vic")
    form["csrf_token"] = form_token(vic)
    assert vic.post("/labels", data=form).status_code == 403
    assert 'data-key="r"' not in vic.get("/").text  # a viewer's inbox has no label buttons


def test_the_publication_page_shows_every_language_and_marks_the_evidence(web):
    client = client_of(web, "ana")
    html = client.get("/publications/CN-1001-A?watchlist=nev-batteries").text
    assert "一种锂离子<mark>电池</mark>包" in html and "Lithium-ion <mark>battery</mark> pack" in html
    assert "<mark>电池</mark>" in html and "<mark>battery</mark>" in html
    assert "<mark>H01M10/613</mark>" in html
    assert "https://worldwide.espacenet.com/patent/search?q=pn%3DCN1001A" in html
    assert client.get("/publications/cn1001a").status_code == 200  # any office spelling
    assert client_of(web, "rita").get("/publications/CN-1001-A").status_code == 404
    assert client.get("/publications/XX-1-A").status_code == 404


def test_a_case_is_opened_updated_closed_and_exported_and_stays_with_its_organisation(web):
    client = client_of(web, "ana")
    token = form_token(client)
    answer = client.post(
        "/cases", data={"publication": "CN-1001-A", "watchlist": "nev-batteries", "csrf_token": token}
    )
    assert answer.status_code == 302
    path = answer.headers["Location"]
    case_id = int(path.rsplit("/", 1)[1])
    assert "阿克米" in client.get(path).text or "acme" in client.get(path).text
    assert f"#{case_id}" in client.get("/cases").text
    changed = client.post(
        path, data={"status": "assessing", "severity": "high", "note": "比对权利要求", "csrf_token": token}
    )
    assert changed.status_code == 302
    page = client.get(path).text
    assert "assessing" in page and "比对权利要求" in page
    client.post(path, data={"status": "assessing", "owner": "acme-motor", "csrf_token": token})
    assert "<dd>acme-motor</dd>" in client.get(path).text
    assert client.post(path, data={"owner": "nobody", "csrf_token": token}).status_code == 400
    assert f"#{case_id}" in client.get("/cases?owner=acme-motor").text
    assert f"#{case_id}" not in client.get("/cases?due=30").text  # a CN application: no deadline
    assert client.get("/cases?due=soon").status_code == 400
    refused = client.post(path, data={"close": "1", "outcome": " ", "csrf_token": token})
    assert refused.status_code == 400 and "outcome" in refused.text
    client.post(path, data={"close": "1", "outcome": "design-around done", "csrf_token": token})
    assert 'id="case-status">closed' in client.get(path).text
    sheet = load_workbook(io.BytesIO(client.get("/cases/export.xlsx").data)).active
    assert [c.value for c in sheet[2]][:2] == [str(case_id), "CN-1001-A"]
    rita = client_of(web, "rita")
    assert rita.get(path).status_code == 404
    assert f"#{case_id}" not in rita.get("/cases").text
    assert rita.post(path, data={"status": "new", "csrf_token": form_token(rita)}).status_code == 404
    assert load_workbook(io.BytesIO(rita.get("/cases/export.xlsx").data)).active.max_row == 1


def test_search_finds_chinese_within_the_scope(web):
    ana = client_of(web, "ana").get("/search?q=电池").text
    assert _ids(ana) == ["CN-1001-A"] and "<mark>电池</mark>" in ana
    assert _ids(client_of(web, "ana").get("/search?q=電池").text) == ["JP-4004-A"]
    assert _ids(client_of(web, "rita").get("/search?q=电池").text) == []
    assert _ids(client_of(web, "admin").get("/search?q=battery").text) == ["EP-2002-A1", "CN-1001-A"] or set(
        _ids(client_of(web, "admin").get("/search?q=battery").text)
    ) == {"EP-2002-A1", "CN-1001-A"}
    assert client_of(web, "ana").get('/search?q="OR(').status_code == 200


def test_the_status_page_is_for_the_programmes_admins(web, world):
    html = client_of(web, "admin").get("/status").text
    assert re.search(r"<dt>Publications</dt><dd>4</dd>", html) and 'id="quarantine"' not in html
    assert client_of(web, "ana").get("/status").status_code == 404
    # what was quarantined, by kind of problem, as `warning quarantine` shows it
    app = world.app()
    for row in (1287, 1288):
        reason = f"row {row}: Patent Number 'DELHI' is not an Indian patent number (6 or 7 digits)"
        quarantine(app.db, QuarantinedDocument("ipo-journal", reason, f"2018_grants.csv:{row}"))
    app.close()
    html = client_of(web, "admin").get("/status").text
    assert 'id="quarantine"' in html and "<td>2</td><td>ipo-journal</td>" in html
    assert "row N: Patent Number &#39;…&#39; is not an Indian patent number" in html


def test_digests_are_listed_and_shown_as_sent_for_their_organisation(web, world):
    app = world.app()
    payload = {
        "subject": "周报 2026-W47",
        "html": "<html><body><h1 style='color:red'>周报</h1></body></html>",
        "text": "周报",
    }
    enqueue(
        app.db,
        [
            {
                "key": "digest:acme-motor:week:2026-W47:file:out.jsonl",
                "kind": "digest",
                "subscriber": "acme-motor",
                "channel": "file",
                "address": "out.jsonl",
                "payload": payload,
            }
        ],
    )
    app.close()
    listing = client_of(web, "ana").get("/digests").text
    found = re.search(r'href="/digests/(\d+)">周报 2026-W47', listing)
    assert found
    shown = client_of(web, "ana").get(f"/digests/{found.group(1)}")
    assert "<h1 style='color:red'>周报</h1>" in shown.text
    assert "sandbox" in shown.headers["Content-Security-Policy"]
    assert client_of(web, "rita").get(f"/digests/{found.group(1)}").status_code == 404
    assert "周报" not in client_of(web, "rita").get("/digests").text


def test_the_watchlist_page_shows_rules_card_and_labels_and_retraining_is_for_admins(web):
    html = client_of(web, "ana").get("/watchlists/nev-batteries").text
    assert "H01M" in html and "尚无模型" in html
    assert "重新训练" not in html
    assert client_of(web, "rita").get("/watchlists/nev-batteries").status_code == 404
    ana = client_of(web, "ana")
    assert (
        ana.post("/watchlists/nev-batteries/retrain", data={"csrf_token": form_token(ana)}).status_code == 404
    )


def test_the_language_switches_per_person(web):
    client = client_of(web, "ana")
    assert "待审" in client.get("/").text
    client.post("/language", data={"language": "en", "next": "/", "csrf_token": form_token(client)})
    assert "Inbox" in client.get("/").text
    assert "Inbox" in client_of(web, "ana").get("/").text  # kept with the person: the next login too
    assert "Inbox" in client_of(web, "rita").get("/").text  # rita's own setting is English


def test_every_answer_has_security_headers_and_an_error_shows_no_trace_or_sql(web, monkeypatch):
    client = client_of(web, "ana")
    answer = client.get("/")
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert (
        answer.headers["X-Frame-Options"] == "DENY" and answer.headers["X-Content-Type-Options"] == "nosniff"
    )

    def broken(*args, **kwargs):
        raise RuntimeError("no such column: SELECT secret FROM users")

    monkeypatch.setattr(inbox_module, "visible_matches", broken)
    failed = client.get("/")
    assert failed.status_code == 500
    assert "SELECT" not in failed.text and "Traceback" not in failed.text and "服务器出错" in failed.text


def test_the_session_cookie_is_http_only_and_secure_when_asked(world):
    app = world.app()
    secure = create_app(app.config, world.db_path, secure_cookies=True)
    app.close()
    client = secure.test_client()
    answer = log_in(client, "ana")
    cookie = answer.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_a_disabled_person_is_logged_out_at_once(web, world):
    client = client_of(web, "ana")
    app = world.app()
    from warning.store.users import disable_user

    disable_user(app.db, _user_id(world, "ana"))
    app.close()
    assert client.get("/").status_code == 302


def _user_id(world, login: str) -> int:
    from warning.store.users import find_user

    app = world.app()
    try:
        return int(find_user(app.db, login)["id"])
    finally:
        app.close()


def test_labels_made_in_the_browser_reach_the_next_training(web, world):
    from warning.classify.train import training_set
    from warning.classify.watchlists import load_watchlist

    client = client_of(web, "ana")
    form = {"publication": "EP-2002-A1", "watchlist": "nev-batteries", "label": "irrelevant"}
    client.post("/labels", data={**form, "csrf_token": form_token(client)})
    app = world.app()
    examples = {
        e.id: e for e in training_set(app, load_watchlist("nev-batteries", app.config.watchlists_dir))
    }
    app.close()
    assert examples["EP-2002-A1"].label == 0 and examples["EP-2002-A1"].origin == "reviewer"


def test_the_review_queue_answers_and_an_unmatched_publication_can_be_labelled(web, world):
    from warning.models import Publication
    from warning.store.publications import save_publications

    ana = client_of(web, "ana")
    queue = ana.get("/watchlists/nev-batteries/queue")
    assert queue.status_code == 200 and "Traceback" not in queue.text  # no model yet: said so, not a 500
    rows = queue.text.count('<tr class="row">')
    assert rows and queue.text.count('<span class="why">最接近阈值</span>') == rows  # each says why
    app = world.app()
    save_publications(
        app.db, [Publication(id="KR-5005-A", country="KR", number="5005", kind="A", titles={"ko": "배터리"})]
    )
    app.close()
    form = {
        "publication": "KR-5005-A",
        "watchlist": "nev-batteries",
        "label": "relevant",
        "csrf_token": form_token(ana),
    }
    assert ana.post("/labels", data=form).status_code == 302  # the queue proposes unmatched ones
    assert ana.get("/publications/KR-5005-A").status_code == 404  # still not shown on its own
    rita = client_of(web, "rita")
    assert rita.post("/labels", data={**form, "csrf_token": form_token(rita)}).status_code == 404
    admin = client_of(web, "admin")
    retrained = admin.post("/watchlists/nev-batteries/retrain", data={"csrf_token": form_token(admin)})
    assert retrained.status_code in (302, 400) and "Traceback" not in retrained.text


def test_the_model_card_says_how_the_watchlist_decides_and_on_what(web, world):
    app = world.app()
    folder = app.config.classifiers_dir / "nev-batteries"
    app.close()
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"examples": 60, "positives": 15, "negatives": 45, "by_origin": {"data": 50, "reviewer": 10}}
    cv = {"precision": 0.5, "recall": 0.5, "f1": 0.5, "pr_auc": 0.5, "folds": 5, "mode": "rules"}
    cv |= {"judged": False, "share_method": "rules", "judging_examples": 50, "decisions": {"rules": 0.5}}
    card = {"threshold": 0.4, "trained_at": "2026-12-02T08:00:00", "counts": counts, "cv": cv}
    (folder / "card.json").write_text(json.dumps(card | {"featurizer_version": "v", "families": ["words"]}))
    html = client_of(web, "ana").get("/watchlists/nev-batteries").text
    assert 'id="decides"' in html and "the rules alone" in html and "无法与规则比较" in html
    assert 'id="judged-on"' in html and "file&#39;s 50 of 60" in html  # (the apostrophe escaped)
    # a cold start's card: its figures are against the rules' own hits, and the page says so
    cold = card | {"counts": counts | {"by_origin": {"rule": 15, "background": 45}}}
    (folder / "card.json").write_text(json.dumps(cold | {"featurizer_version": "v", "families": ["words"]}))
    html = client_of(web, "ana").get("/watchlists/nev-batteries").text
    assert "its 15 positives are the rules&#39; own hits" in html and "冷启动" in html


def test_the_publication_page_names_the_deadlines_it_opens(web):
    # a US application published on 23 November 2026: third parties may submit prior art for six months
    html = client_of(web, "ana").get("/publications/US-3003-A1").text  # ana reads Chinese
    assert 'id="deadlines"' in html and "美国第三方授权前提交期限 2027-05-23 · 35 U.S.C. 122(e)" in html
    english = client_of(web, "vic").get("/publications/US-3003-A1").text
    assert "US third-party preissuance submission 2027-05-23" in english
    # a Chinese application opens none of the table's deadlines: no section
    assert 'id="deadlines"' not in client_of(web, "ana").get("/publications/CN-1001-A").text
