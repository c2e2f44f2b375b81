"""E-mail through smtplib: multipart text + HTML, STARTTLS, SSL or plain, credentials from env.

The Message-ID is derived from the idempotency key, so a re-send after a crash is recognisable
(and threaded together) by mail clients and archives.
"""

from __future__ import annotations

import base64
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from warning.channels.base import Channel, DeliveryResult, Message, register
from warning.config import SmtpConfig, secret

# Many mail clients block data: URIs, so embedded images travel as inline parts (cid:).
_DATA_IMAGE = re.compile(r'src="data:image/(png|jpeg|gif);base64,([A-Za-z0-9+/=]+)"')


def build_email(message: Message, sender: str, recipient: str) -> EmailMessage:
    """The MIME message: text/plain with a text/html alternative (images inline, by cid)."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = recipient
    mail["Date"] = formatdate(usegmt=True)
    domain = sender.rpartition("@")[2] or "localhost"
    mail["Message-ID"] = f"<{message.key}@{domain}>"
    mail["X-Warning-Delivery"] = message.key
    mail.set_content(message.text)
    if message.html:
        images: list[tuple[str, str, bytes]] = []

        def to_cid(found: re.Match) -> str:
            cid = f"image{len(images)}.{message.key}@{domain}"
            images.append((cid, found.group(1), base64.b64decode(found.group(2))))
            return f'src="cid:{cid}"'

        mail.add_alternative(_DATA_IMAGE.sub(to_cid, message.html), subtype="html")
        html_part = mail.get_payload()[1]
        for cid, subtype, data in images:
            html_part.add_related(data, "image", subtype, cid=f"<{cid}>", disposition="inline")
    return mail


def tls_context(settings: SmtpConfig) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.ca_file or None)


def open_smtp(settings: SmtpConfig) -> smtplib.SMTP:
    """A connected (and, where configured, encrypted and logged-in) SMTP session."""
    if settings.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=tls_context(settings)
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            smtp.starttls(context=tls_context(settings))
    if settings.username_env:
        smtp.login(secret(settings.username_env, "SMTP user"), secret(settings.password_env, "SMTP password"))
    return smtp


@register
class EmailChannel(Channel):
    name = "email"
    batchable = True

    def _send(self, address: str, message: Message) -> DeliveryResult:
        settings = self.config.smtp
        if settings.security not in ("starttls", "ssl", "none"):
            return DeliveryResult(
                ok=False, error=f"[smtp] security must be starttls, ssl or none, not {settings.security!r}"
            )
        mail = build_email(message, settings.sender, address)
        try:
            with open_smtp(settings) as smtp:
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            return DeliveryResult(ok=False, error=f"recipient refused: {exc.recipients}", permanent=True)
        except smtplib.SMTPAuthenticationError as exc:
            return DeliveryResult(ok=False, error=f"SMTP login refused: {exc.smtp_code}")
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            return DeliveryResult(
                ok=False, error=f"SMTP {settings.host}:{settings.port}: {type(exc).__name__}: {exc}"
            )
        if refused:
            return DeliveryResult(ok=False, error=f"recipient refused: {refused}", permanent=True)
        return DeliveryResult(ok=True, response=f"accepted by {settings.host}")
