"""A local stand-in for EPO OPS on pytest-httpserver, serving recorded real OPS documents.

The documents are the real ``exchange-document`` elements of the corpus (biblio, family and
full-cycle responses), and search pages are written in the shape of the recorded real search
response (``TestSearchApi.test_search__00.xml``). What the corpus does not record is built from
EPO's published OPS 3.2 documentation: the OAuth token reply (JSON with ``access_token`` and
``expires_in`` as a string), ``X-Throttling-Control`` headers, and 403 rejections with
``X-Rejection-Reason`` and ``Retry-After`` in milliseconds. A search without hits answers 404
with the recorded real 404 fault body, as OPS does.
"""

from __future__ import annotations

import base64
import re
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path

from lxml import etree
from werkzeug import Request, Response

from warning.sources.epo_ops.parser import EX

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet type="text/xsl" href="/3.2/style/exchange.xsl"?>\n'
    '<ops:world-patent-data xmlns="http://www.epo.org/exchange" xmlns:ops="http://ops.epo.org" '
    'xmlns:xlink="http://www.w3.org/1999/xlink">'
)
TAIL = "</ops:world-patent-data>"
_QUERY = re.compile(r'pn=(\w+) and pd within "(\d{8}) (\d{8})"')
_TERM = re.compile(r'(cpc|ta|pa)=("[^"]*"|[^\s()]+)')
KEY, SECRET = "consumer-key", "consumer-secret"


def real_documents(corpus_root: Path) -> dict[str, bytes]:
    """Every real biblio ``exchange-document`` of the corpus, by docdb number ``CC.NUMBER.KIND``."""
    docs: dict[str, bytes] = {}
    names = [
        "epo-ops-patent-dev/get_biblio_multiple__response.xml",
        "epo-ops-patent-dev/get_family_with_biblio__response.xml",
        "epo-ops-patent-dev/search_with_constituent__response.xml",
        "epo-ops-patent_client/fixtures/published__test__full_cycle_example.xml",
        "epo-ops-patent_client/cassette_responses/TestPublished.test_get_biblio_from_wo__00.xml",
    ]
    for name in names:
        root = etree.parse(str(corpus_root / name)).getroot()
        for doc in root.iter(f"{EX}exchange-document"):
            number = f"{doc.get('country')}.{doc.get('doc-number')}.{doc.get('kind')}"
            docs.setdefault(number, etree.tostring(doc))
    return docs


def publication_date(doc: bytes) -> str:
    root = etree.fromstring(doc)
    return root.findtext(f".//{EX}publication-reference/{EX}document-id/{EX}date")


def clone(doc: bytes, number: str, day: str) -> bytes:
    """A real document under another number and publication date (volume tests)."""
    root = etree.fromstring(doc)
    root.set("doc-number", number)
    for el in root.iter(f"{EX}publication-reference"):
        for doc_id in el.iter(f"{EX}document-id"):
            for n in doc_id.iter(f"{EX}doc-number"):
                n.text = (
                    number if doc_id.get("document-id-type") == "docdb" else f"{root.get('country')}{number}"
                )
            for d in doc_id.iter(f"{EX}date"):
                d.text = day
    return etree.tostring(root)


class FakeOps:
    """OPS endpoints on a pytest-httpserver; tests queue faults and headers per service."""

    def __init__(self, httpserver, corpus_root: Path) -> None:
        self.server = httpserver
        self.corpus_root = corpus_root
        self.docs: dict[str, bytes] = {}
        self.dates: dict[str, str] = {}
        self.token = ""
        self.tokens_issued = 0
        self.token_lifetime = "1199"
        self.calls: dict[str, list[Request]] = defaultdict(list)
        self.faults: dict[str, deque[Response]] = defaultdict(deque)
        self.headers: dict[str, dict[str, str]] = defaultdict(dict)
        self.rules: dict[str, Callable[[Request], Response | None]] = {}  # per service, before normal answers
        base = "/3.2/"
        httpserver.expect_request(base + "auth/accesstoken", method="POST").respond_with_handler(self._token)
        httpserver.expect_request(base + "rest-services/published-data/search").respond_with_handler(
            self._guard("search", self._search)
        )
        httpserver.expect_request(
            base + "rest-services/published-data/publication/docdb/biblio", method="POST"
        ).respond_with_handler(self._guard("retrieval", self._biblio))
        httpserver.expect_request(re.compile(r"/3\.2/rest-services/legal/.*")).respond_with_handler(
            self._guard("inpadoc", self._legal)
        )
        self.legal_body: bytes = b""
        self.legal_bodies: dict[str, bytes] = {}  # docdb number -> its legal reply (else legal_body)
        self._fields: dict[str, dict[str, list[str]]] = {}

    @property
    def base_url(self) -> str:
        return self.server.url_for("/3.2/")

    def add(self, docs: dict[str, bytes]) -> None:
        for number, doc in docs.items():
            self.docs[number] = doc
            self.dates[number] = publication_date(doc)

    def fault(self, service: str, status: int, body: bytes = b"", **headers: str) -> None:
        """Answer the next request to ``service`` with this status and headers instead."""
        self.faults[service].append(
            Response(body, status=status, headers=headers, content_type="application/xml")
        )

    def misbehave(self, service: str, times: int, spoil: Callable[[Response], Response]) -> None:
        """The next ``times`` answers of ``service`` are its real answer spoiled by ``spoil``."""
        real = {"search": self._search, "retrieval": self._biblio}[service]
        left = [times]

        def rule(request: Request) -> Response | None:
            if left[0] <= 0:
                return None
            left[0] -= 1
            return spoil(real(request))

        self.rules[service] = rule

    def _token(self, request: Request) -> Response:
        self.calls["token"].append(request)
        if self.faults["token"]:
            return self.faults["token"].popleft()
        expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
        if (
            request.headers.get("Authorization") != expected
            or request.form.get("grant_type") != "client_credentials"
        ):
            return Response('{"error": "invalid_client"}', status=401, content_type="application/json")
        self.tokens_issued += 1
        self.token = f"token-{self.tokens_issued}"
        body = (
            '{"refresh_token_expires_in": "0", "api_product_list": "[ops-prod]", "organization_name": "test",'
            f' "token_type": "BearerToken", "issued_at": "1700000000000", "client_id": "{KEY}",'
            f' "access_token": "{self.token}", "application_name": "test", "scope": "core",'
            f' "expires_in": "{self.token_lifetime}", "refresh_count": "0", "status": "approved"}}'
        )
        return Response(body, content_type="application/json")

    def _guard(self, service: str, handler):
        def respond(request: Request) -> Response:
            self.calls[service].append(request)
            if request.headers.get("Authorization") != f"Bearer {self.token}" or not self.token:
                body = (
                    self.corpus_root / "epo-ops-patent_client/cassette_responses/test_api__00.xml"
                ).read_bytes()
                # OPS answers a missing, invalid or expired token with this recorded 400 body
                return Response(body, status=400, content_type="application/xml")
            if self.faults[service]:
                return self.faults[service].popleft()
            rule = self.rules.get(service)
            response = (rule(request) if rule else None) or handler(request)
            response.headers.update(self.headers[service])
            return response

        return respond

    def hits(self, country: str, first: str, last: str, terms: list[tuple[str, str]] = ()) -> list[str]:
        """Documents of ``country`` published from ``first`` to ``last`` (and, given ``terms`` of an
        ``and (cpc=B62K or ta=motorcycl* or pa="honda")`` filter, matching any of them)."""
        found = (n for n, d in self.dates.items() if n.startswith(country + ".") and first <= d <= last)
        return sorted(n for n in found if not terms or any(self._matches(n, f, v) for f, v in terms))

    def _matches(self, number: str, field: str, value: str) -> bool:
        """One CQL term on a document as OPS reads it: cpc by prefix, ta words (``*``: truncated)
        in titles and abstracts, pa words in an applicant's name."""
        fields = self._fields.get(number) or self._index(number)
        value = value.strip('"').casefold()
        if field == "cpc":
            return any(c.replace(" ", "").upper().startswith(value.upper()) for c in fields["cpc"])
        words = value.split()
        texts = fields["ta"] if field == "ta" else fields["pa"]
        return any(_has_words(text, words) for text in texts)

    def _index(self, number: str) -> dict[str, list[str]]:
        root = etree.fromstring(self.docs[number])
        ta = [" ".join(el.itertext()) for el in root.iter(f"{EX}invention-title", f"{EX}abstract")]
        pa = [" ".join(el.itertext()) for el in root.iter(f"{EX}applicant-name")]
        parts = ("section", "class", "subclass", "main-group")
        cpc = [
            "".join(el.findtext(f"{EX}{p}") or "" for p in parts)
            for el in root.iter(f"{EX}patent-classification")
        ]
        self._fields[number] = {
            "ta": [t.casefold() for t in ta],
            "pa": [p.casefold() for p in pa],
            "cpc": cpc,
        }
        return self._fields[number]

    def _search(self, request: Request) -> Response:
        query = request.args.get("q", "")
        match = _QUERY.search(query)
        if not match:
            return Response("<fault/>", status=400)
        hits = self.hits(*match.groups(), _TERM.findall(query[match.end() :]))
        begin, end = (int(x) for x in request.headers.get("Range", "1-25").split("-"))
        if not hits:
            body = (self.corpus_root / "epo-ops-patent-dev/testdata__error_404.xml").read_bytes()
            return Response(body, status=404, content_type="application/xml")
        refs = "".join(_reference(n) for n in hits[begin - 1 : min(end, 2000)])
        body = (
            f'{HEAD}<ops:biblio-search total-result-count="{len(hits)}"><ops:query syntax="CQL">{query}</ops:query>'
            f'<ops:range begin="{begin}" end="{end}"/><ops:search-result>{refs}</ops:search-result>'
            f"</ops:biblio-search>{TAIL}"
        )
        return Response(body, content_type="application/xml")

    def biblio_body(self, numbers: list[str]) -> bytes:
        """The biblio reply OPS gives for these docdb numbers (the documents it holds of them)."""
        docs = b"".join(self.docs[n] for n in numbers if n in self.docs)
        return HEAD.encode() + b"<exchange-documents>" + docs + b"</exchange-documents>" + TAIL.encode()

    def _biblio(self, request: Request) -> Response:
        numbers = [n.strip() for n in request.get_data(as_text=True).split("\n") if n.strip()]
        return Response(self.biblio_body(numbers), content_type="application/xml")

    def _legal(self, request: Request) -> Response:
        number = request.path.rsplit("/", 1)[-1]
        return Response(self.legal_bodies.get(number, self.legal_body), content_type="application/xml")


def _has_words(text: str, words: list[str]) -> bool:
    """Every word of a term in ``text``, in order as a phrase; a trailing ``*`` truncates the last."""
    tokens = re.findall(r"[\w-]+", text)
    if len(words) == 1 and words[0].endswith("*"):
        return any(t.startswith(words[0][:-1]) for t in tokens)
    n = len(words)
    return any(tokens[i : i + n] == words for i in range(len(tokens) - n + 1))


def _reference(number: str) -> str:
    country, doc_number, kind = number.split(".")
    return (
        '<ops:publication-reference system="ops.epo.org"><document-id document-id-type="docdb">'
        f"<country>{country}</country><doc-number>{doc_number}</doc-number><kind>{kind}</kind>"
        "</document-id></ops:publication-reference>"
    )
