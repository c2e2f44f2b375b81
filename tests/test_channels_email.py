"""E-mail over a real SMTP server on loopback: plain, SSL and STARTTLS with login; batching."""

from __future__ import annotations

import ssl

import pytest
from alerts_support import (
    NOW,
    accept_login,
    add_match,
    add_watchlist,
    alert_rows,
    free_port,
    make_self_signed_cert,
    make_test_app,
    smtp_server,
)

from warning.delivery.dispatch import dispatch
from warning.delivery.queue import queue_alerts


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory):
    return make_self_signed_cert(tmp_path_factory.mktemp("tls"))


def mail_config(
    port: int, security: str = "none", extra_smtp: str = "", batch: bool = False, lang: str = "en"
) -> str:
    return f"""
[smtp]
host = "127.0.0.1"
port = {port}
security = "{security}"
from = "warning@example.org"
timeout = 5.0
{extra_smtp}

[[subscribers]]
name = "acme"
language = "{lang}"
watchlists = ["motorcycles"]
batch = {"true" if batch else "false"}
email = ["ip@acme.example"]
"""


def test_plain_smtp_delivers_multipart_text_and_html(tmp_path):
    port = free_port()
    app = make_test_app(tmp_path, mail_config(port))
    add_watchlist(app)
    add_match(
        app,
        "EP-4123456-A1",
        titles={"de": "Motorrad mit Turbolader", "en": "Motorcycle with turbocharger"},
        lang="de",
    )
    queue_alerts(app, now=NOW)
    with smtp_server(port) as sink:
        result = dispatch(app, now=NOW)
    assert result["sent"] == 1
    [mail] = sink.messages
    assert mail["To"] == "ip@acme.example"
    assert mail["From"] == "warning@example.org"
    assert "Motorcycles" in mail["Subject"] and "EP4123456A1" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Motorrad mit Turbolader" in text and "Motorcycle with turbocharger" in text
    assert "HONDA MOTOR CO LTD" in text and "90%" in text
    assert 'href="https://worldwide.espacenet.com/patent/search?q=pn%3DEP4123456A1"' in html
    assert "opposition" not in text  # an application, not a grant: no opposition advice
    assert mail["Message-ID"].startswith("<") and "@example.org>" in mail["Message-ID"]
    [row] = alert_rows(app)
    assert row["status"] == "sent" and row["attempts"] == 1


def test_ssl_smtp_with_private_ca(tmp_path, tls_cert):
    cert, key = tls_cert
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    port = free_port()
    app = make_test_app(tmp_path, mail_config(port, "ssl", f'ca_file = "{cert}"'))
    add_match(app, "US-20240123456-A1")
    queue_alerts(app, now=NOW)
    with smtp_server(port, ssl_context=server_ctx) as sink:
        result = dispatch(app, now=NOW)
    assert result["sent"] == 1, alert_rows(app)[0]["last_error"]
    assert "downloadPdf/20240123456" in sink.messages[0].get_body(("plain",)).get_content()


def test_starttls_with_login_from_environment(tmp_path, tls_cert, monkeypatch):
    cert, key = tls_cert
    tls_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_ctx.load_cert_chain(cert, key)
    monkeypatch.setenv("T_SMTP_USER", "mailer")
    monkeypatch.setenv("T_SMTP_PASS", "s3cret-pass")
    port = free_port()
    extra = f'ca_file = "{cert}"\nusername_env = "T_SMTP_USER"\npassword_env = "T_SMTP_PASS"'
    app = make_test_app(tmp_path, mail_config(port, "starttls", extra))
    add_match(app, "EP-4123456-B1", doc_type="grant")
    queue_alerts(app, now=NOW)
    server = {
        "tls_context": tls_ctx,
        "require_starttls": True,
        "authenticator": accept_login("mailer", "s3cret-pass"),
        "auth_require_tls": True,
    }
    with smtp_server(port, **server) as sink:
        result = dispatch(app, now=NOW)
    assert result["sent"] == 1, alert_rows(app)[0]["last_error"]
    assert "opposition" in sink.messages[0].get_body(("plain",)).get_content()  # an EP grant


def test_wrong_password_is_retried_later_not_dead_lettered(tmp_path, tls_cert, monkeypatch):
    cert, key = tls_cert
    tls_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_ctx.load_cert_chain(cert, key)
    monkeypatch.setenv("T_SMTP_USER", "mailer")
    monkeypatch.setenv("T_SMTP_PASS", "wrong")
    port = free_port()
    extra = f'ca_file = "{cert}"\nusername_env = "T_SMTP_USER"\npassword_env = "T_SMTP_PASS"'
    app = make_test_app(tmp_path, mail_config(port, "starttls", extra))
    add_match(app, "EP-4123456-A1")
    queue_alerts(app, now=NOW)
    server = {
        "tls_context": tls_ctx,
        "authenticator": accept_login("mailer", "right"),
        "auth_exclude_mechanism": ["LOGIN"],
    }
    with smtp_server(port, **server) as sink:
        result = dispatch(app, now=NOW)
    # 535 is our credential, not the alert: it waits (backoff) for the password to be fixed, and
    # the server is not asked again this run, since failed logins get a sender locked out.
    assert result["failed"] == 1 and result["dead"] == 0 and sink.messages == []
    [row] = alert_rows(app)
    assert row["status"] == "pending" and "login refused: 535" in row["last_error"]


def test_batch_puts_several_alerts_in_one_chinese_message(tmp_path):
    port = free_port()
    app = make_test_app(tmp_path, mail_config(port, batch=True, lang="zh"))
    add_watchlist(app)
    add_match(app, "EP-4123456-A1")
    add_match(
        app,
        "CN-117000000-A",
        titles={"zh": "一种摩托车涡轮增压装置"},
        lang="zh",
        applicants=["重庆某摩托车有限公司"],
    )
    add_match(app, "WO-2024123456-A1")
    queue_alerts(app, now=NOW)
    with smtp_server(port) as sink:
        result = dispatch(app, now=NOW)
    assert result == {"due": 3, "messages": 1, "sent": 3, "failed": 0, "dead": 0}
    [mail] = sink.messages
    assert mail["Subject"] == "[专利预警] 3 条新预警"
    text = mail.get_body(("plain",)).get_content()
    assert "一种摩托车涡轮增压装置" in text and "重庆某摩托车有限公司" in text
    assert "patentscope.wipo.int/search/en/detail.jsf?docId=WO2024123456" in text
    assert "监控产品线：摩托车" in text and "建议下一步" in text
    assert all(r["status"] == "sent" for r in alert_rows(app))
