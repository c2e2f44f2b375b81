"""Entity declarations are judged on the parsed document, in every encoding XML allows.

Real EP and USPTO documents of the corpus, each given a hostile internal DTD subset (the tricks
a textual check misses: a DOCTYPE after a long comment, ``]>`` inside a comment, ``NDATA``
inside a SYSTEM literal ...), then written in UTF-8 (with and without a byte-order mark),
UTF-16 and UTF-32 (both byte orders), ISO-8859-1, windows-1252, Shift_JIS and GB18030.
None of them may be stored; the same documents without the declarations must be.
"""

from __future__ import annotations

import codecs
import time

import pytest
from click.testing import CliRunner

from warning.cli import cli
from warning.models import Publication, QuarantinedDocument
from warning.sources.ep_server.parser import parse_ep_document
from warning.sources.uspto.parser import parse_uspto
from warning.sources.xml.safe import EntityRefused, parse_xml
from warning.store import open_db

EP = ("epo-eps-xml", "go-epo-eps", "application__v1-5-1-A1.xml")  # EP-3882239-A1
GRANT = ("uspto-bulk-xml", "go-uspto", "grant__v4-0-B2.xml")  # US-6857133-B2
PASSWD = "file:///etc/passwd"
LAUGHS = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10)
)
# name -> what replaces the document's DOCTYPE; every one declares `xxe`, and the title says &xxe;.
HOSTILE = {
    "external entity": f'<!DOCTYPE {{root}} [<!ENTITY xxe SYSTEM "{PASSWD}">]>',
    "DOCTYPE after a long comment": "<!--"
    + "x" * 300_000
    + f'--><!DOCTYPE {{root}} [<!ENTITY xxe SYSTEM "{PASSWD}">]>',
    "]> inside a comment": f'<!DOCTYPE {{root}} [<!-- ]> --><!ENTITY xxe SYSTEM "{PASSWD}">]>',
    "NDATA inside the SYSTEM literal": f'<!DOCTYPE {{root}} [<!ENTITY xxe SYSTEM "{PASSWD}?NDATA">]>',
    "'>' inside a quoted literal": f"<!DOCTYPE {{root}} [<!ENTITY xxe SYSTEM '{PASSWD}?a>b'>]>",
    "PUBLIC external entity": f'<!DOCTYPE {{root}} [<!ENTITY xxe PUBLIC "-//X//EN" "{PASSWD}">]>',
    "billion laughs": f'<!DOCTYPE {{root}} [{LAUGHS}<!ENTITY xxe "&lol9;">]>',
    "parameter entity from the network": '<!DOCTYPE {root} [<!ENTITY % pe SYSTEM "{url}evil.dtd"> %pe; <!ENTITY xxe "x">]>',
    "a processing instruction first": f'<?xml-stylesheet href="a.xsl"?><!DOCTYPE {{root}} [<!ENTITY xxe SYSTEM "{PASSWD}">]>',
}
# The same document with what real office files declare: an unparsed image entity, never expanded.
BENIGN = '<!DOCTYPE {root} [<!NOTATION TIF SYSTEM "tif"><!ENTITY img SYSTEM "img.tif" NDATA TIF>]>'
ENCODINGS = [  # (codec, declared encoding, byte-order mark)
    ("utf-8", "UTF-8", b""),
    ("utf-8", "UTF-8", codecs.BOM_UTF8),
    ("utf-16-le", "UTF-16", codecs.BOM_UTF16_LE),
    ("utf-16-be", "UTF-16", codecs.BOM_UTF16_BE),
    ("utf-16-le", "UTF-16LE", b""),
    ("utf-32-le", "UTF-32", codecs.BOM_UTF32_LE),
    ("utf-32-be", "UTF-32", codecs.BOM_UTF32_BE),
    ("iso-8859-1", "ISO-8859-1", b""),
    ("cp1252", "windows-1252", b""),
    ("shift_jis", "Shift_JIS", b""),
    ("gb18030", "GB18030", b""),
]
ENCODING_IDS = [f"{decl}{'+BOM' if bom else ''}" for _, decl, bom in ENCODINGS]


def document(text: str, root: str, doctype: str, encoding: tuple[str, str, bytes], url: str = "") -> bytes:
    """``text`` (a real document) with ``doctype`` in place of its own and &xxe; in its title, encoded."""
    codec, declared, bom = encoding
    head, _, rest = text.partition("<!DOCTYPE")
    rest = rest[rest.index(">") + 1 :]
    title_end = "</B542>" if root == "ep-patent-document" else "</invention-title>"
    if "xxe" in doctype:
        rest = rest.replace(title_end, " &xxe;" + title_end, 1)
    head = head.replace('encoding="UTF-8"', f'encoding="{declared}"')
    return bom + (head + doctype.format(root=root, url=url) + rest).encode(codec, errors="xmlcharrefreplace")


@pytest.fixture(scope="module")
def ep_text():
    from conftest import corpus_path

    return corpus_path(*EP).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def grant_text():
    from conftest import corpus_path

    return corpus_path(*GRANT).read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ENCODINGS, ids=ENCODING_IDS)
@pytest.mark.parametrize("case", HOSTILE)
def test_every_hostile_declaration_is_refused_in_every_encoding(ep_text, case, encoding, httpserver):
    data = document(ep_text, "ep-patent-document", HOSTILE[case], encoding, httpserver.url_for("/"))
    start = time.perf_counter()
    with pytest.raises(EntityRefused, match="declares XML entities"):
        parse_xml(data, "hostile.xml")
    (item,) = parse_ep_document(data, "hostile.xml")
    assert isinstance(item, QuarantinedDocument) and "declares XML entities" in item.reason
    assert time.perf_counter() - start < 2  # the laughs are never expanded
    assert httpserver.log == []  # no DTD or entity was fetched


@pytest.mark.parametrize("encoding", ENCODINGS, ids=ENCODING_IDS)
def test_the_same_documents_without_the_declarations_are_read(ep_text, encoding):
    (pub,) = parse_ep_document(document(ep_text, "ep-patent-document", BENIGN, encoding), "benign.xml")
    assert isinstance(pub, Publication) and pub.id == "EP-3882239-A1"
    assert pub.titles["en"] == "1,3,4-OXADIAZOLONE COMPOUND AND MEDICINE"


@pytest.mark.parametrize("encoding", ENCODINGS, ids=ENCODING_IDS)
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_uspto_grants_are_quarantined(grant_text, case, encoding, httpserver):
    data = document(grant_text, "us-patent-grant", HOSTILE[case], encoding, httpserver.url_for("/"))
    counts: dict[str, int] = {}
    items = list(parse_uspto(data, "weekly.xml", counts))
    assert items and all(isinstance(i, QuarantinedDocument) for i in items)
    if encoding[0] in ("utf-8", "iso-8859-1", "cp1252", "shift_jis", "gb18030"):
        assert "declares XML entities" in items[0].reason  # else: UTF-16/32 is no USPTO stream at all
    assert httpserver.log == []


def test_a_folder_of_hostile_files_in_every_encoding_stores_only_the_benign_ones(
    ep_text, grant_text, tmp_path, httpserver
):
    folder = tmp_path / "in"
    folder.mkdir()
    url = httpserver.url_for("/")
    for e, encoding in enumerate(ENCODINGS):
        for c, case in enumerate(HOSTILE):
            (folder / f"ep-{c}-{e}.xml").write_bytes(
                document(ep_text, "ep-patent-document", HOSTILE[case], encoding, url)
            )
        (folder / f"ep-benign-{e}.xml").write_bytes(document(ep_text, "ep-patent-document", BENIGN, encoding))
    for c, case in enumerate(HOSTILE):
        (folder / f"ipg-{c}.xml").write_bytes(
            document(grant_text, "us-patent-grant", HOSTILE[case], ENCODINGS[0], url)
        )
    (folder / "ipg-benign.xml").write_bytes(document(grant_text, "us-patent-grant", BENIGN, ENCODINGS[0]))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "w.db"), "ingest", "--no-progress", str(folder)])
    hostile = len(HOSTILE) * (len(ENCODINGS) + 1)
    benign = len(ENCODINGS) + 1
    assert f"2 new, 0 merged, {benign - 2} unchanged, {hostile} quarantined" in result.output
    db = open_db(tmp_path / "w.db")
    assert [r[0] for r in db.execute("SELECT id FROM publications ORDER BY id")] == [
        "EP-3882239-A1",
        "US-6857133-B2",
    ]
    assert db.execute("SELECT count(*) FROM publications WHERE title_text LIKE '%&xxe;%'").fetchone()[0] == 0
    reasons = [r[0] for r in db.execute("SELECT reason FROM quarantine")]
    assert len(reasons) == hostile and [r for r in reasons if "declares XML entities" not in r] == []
    assert httpserver.log == []
