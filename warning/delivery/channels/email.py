"""E-mail through smtplib: multipart text + HTML, STARTTLS, SSL or plain, credentials from env.

The Message-ID is derived from the idempotency key, so a re-send after a crash is recognisable
(and threaded together) by mail clients and archives. The attempt is recorded the moment the
server accepts the DATA, before QUIT: SMTP cannot refuse a re-send, so the time between the
server's acceptance and our record is the only window for a duplicate, and it is kept that short.

Reply codes follow SMTP's own rule (`reply_result`): 4xx is temporary (a greylisting 450 at RCPT
is retried with backoff), 5xx is permanent. 421 (the server closing the channel), timeouts and
refused connections mean the host is not answering; a refused login, TLS or a missing STARTTLS
concern our credentials and hold the server for the rest of the run.
"""

from __future__ import annotations

import base64
import re
import smtplib
import ssl
from dataclasses import replace
from email.message import EmailMessage
from email.utils import formatdate

from warning.config.rules import matching
from warning.config.schema import SmtpConfig
from warning.config.secrets import secret
from warning.delivery.channels.base import AddressKey, Answer, Channel, DeliveryResult, Message

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
    if message.reply_to_key:  # an update to an invention's first alert: the same thread
        mail["In-Reply-To"] = f"<{message.reply_to_key}@{domain}>"
        mail["References"] = f"<{message.reply_to_key}@{domain}>"
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
    for filename, mime, data in message.attachments:
        maintype, _, subtype = mime.partition("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
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
    try:
        if settings.security == "starttls":
            smtp.starttls(context=tls_context(settings))
        if settings.username_env:
            smtp.login(
                secret(settings.username_env, "SMTP user"), secret(settings.password_env, "SMTP password")
            )
    except BaseException:
        smtp.close()
        raise
    return smtp


def quit_quietly(smtp: smtplib.SMTP) -> None:
    """QUIT, then close; the message (if any) is already accepted and recorded, so a server that
    hangs up first changes nothing."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


CREDENTIAL_CODES = frozenset({530, 534, 535, 538})  # authentication required, too weak, failed, needs TLS


def reply_result(code: int, stage: str, detail: bytes | str = "") -> DeliveryResult:
    """The rule: 4xx temporary, 5xx permanent; 421 is the host closing; credential codes hold it."""
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    return DeliveryResult(
        ok=False,
        error=f"SMTP {stage} refused: {code} {text}".strip()[:300],
        permanent=500 <= code < 600,
        unreachable=code == 421,
        refused_us=code in CREDENTIAL_CODES,
    )


def smtp_failure(exc: Exception, where: str) -> DeliveryResult:
    """What an smtplib exception means for the alert, by the rule of `reply_result`."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b""))
        return reply_result(code, "recipient", text)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return replace(reply_result(exc.smtp_code, "login", exc.smtp_error), refused_us=True)
    stages = (
        (smtplib.SMTPSenderRefused, "sender"),
        (smtplib.SMTPDataError, "message"),
        (smtplib.SMTPConnectError, "connection"),
        (smtplib.SMTPHeloError, "greeting"),
        (smtplib.SMTPResponseException, "command"),
    )
    for kind, stage in stages:
        if isinstance(exc, kind):
            return reply_result(exc.smtp_code, stage, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPNotSupportedError | ssl.SSLError):
        return DeliveryResult(ok=False, error=f"SMTP {where}: {type(exc).__name__}: {exc}", refused_us=True)
    return DeliveryResult(
        ok=False, error=f"SMTP {where}: no answer: {type(exc).__name__}: {exc}", unreachable=True
    )


# Messages sent over one SMTP session before it is renewed: servers cap a session (often at 100).
MESSAGES_PER_CONNECTION = 50


class EmailChannel(Channel):
    name = "email"
    keys = (AddressKey("email", rule=matching(r"[^@\s]+@[^@\s]+", "an e-mail address (name@example.org)")),)
    batchable = True
    _smtp: smtplib.SMTP | None = None
    _sent_on_connection = 0

    @classmethod
    def section_problem(cls, config, data) -> str:
        if "smtp" in data:
            return ""
        return "has e-mail addresses, so the config needs an [smtp] table (host, port, from)"

    def host(self, address: str) -> str:
        """Every address goes through the one configured server."""
        return f"smtp://{self.config.smtp.host}:{self.config.smtp.port}"

    def _send(self, address: str, message: Message, answer: Answer) -> DeliveryResult:
        settings = self.config.smtp  # its values were checked when the config was loaded
        mail = build_email(message, settings.sender, address)
        where = f"{settings.host}:{settings.port}"
        try:
            smtp = self._connection()
        except (smtplib.SMTPException, OSError) as exc:  # smtplib's errors and ssl's are OSErrors too
            return smtp_failure(exc, where)
        try:
            refused = smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()  # whatever state the session is in, the next message starts a fresh one
            return smtp_failure(exc, where)
        self._sent_on_connection += 1
        result = DeliveryResult(ok=True, response=f"accepted by {settings.host}")
        if refused:  # some recipients refused, others accepted: there is one recipient here
            code, text = next(iter(refused.values()))
            result = reply_result(code, "recipient", text)
        answer(result)  # recorded now, before anything else is said to the server
        return result

    def _connection(self) -> smtplib.SMTP:
        """The run's SMTP session: kept for the next message (one connection, one TLS handshake and
        one login per run, not per message) while the server still answers NOOP, and renewed
        after `MESSAGES_PER_CONNECTION` messages, below the limits servers set per session."""
        smtp = self._smtp
        if smtp is not None and self._sent_on_connection < MESSAGES_PER_CONNECTION:
            try:
                if smtp.noop()[0] == 250:
                    return smtp
            except (smtplib.SMTPException, OSError):
                pass  # it hung up (an idle timeout): connect again
        self._drop()
        self._smtp, self._sent_on_connection = open_smtp(self.config.smtp), 0
        return self._smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            quit_quietly(self._smtp)
            self._smtp = None

    def finish(self) -> None:
        """QUIT the run's session; every message it carried was already recorded."""
        self._drop()


CHANNELS = (EmailChannel,)
