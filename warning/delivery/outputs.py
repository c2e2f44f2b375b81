"""Files that are what their extension says: one writer per extension, and a clear refusal of
any other (a digest asked for as .pdf is a PDF, not HTML under that name)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from warning.delivery.digest import Digest
from warning.delivery.pdf import text_pdf
from warning.delivery.sheets import matches_xlsx
from warning.errors import WarningError

_DIGEST_WRITERS: dict[str, Callable[[Digest, str], bytes]] = {
    ".html": lambda d, _: d.html.encode("utf-8"),
    ".htm": lambda d, _: d.html.encode("utf-8"),
    ".txt": lambda d, _: d.text.encode("utf-8"),
    ".md": lambda d, _: d.markdown.encode("utf-8"),
    ".xlsx": lambda d, lang: matches_xlsx(d.rows, lang),
    ".pdf": lambda d, _: text_pdf(d.subject, d.text, d.chart),
}
DIGEST_EXTENSIONS = tuple(_DIGEST_WRITERS)


def writer_for(path: Path, writers: dict, what: str):
    """The writer for ``path``'s extension, or a WarningError naming the extensions there are."""
    suffix = path.suffix.lower()
    if suffix not in writers:
        known = ", ".join(writers)
        raise WarningError(f"cannot write {what} as {suffix or 'a file without an extension'!r}: use {known}")
    return writers[suffix]


def write_digest(digest: Digest, path: Path, lang: str) -> None:
    """Write ``digest`` to ``path`` in the format its extension names (`DIGEST_EXTENSIONS`)."""
    data = writer_for(path, _DIGEST_WRITERS, "a digest")(digest, lang)
    path.write_bytes(data)
