"""Identity normalisation on every office spelling found in the real corpus."""

import csv
import json
import re

from lxml import etree

from warning.identity import make_id, normalise_id

CANONICAL = re.compile(r"^[A-Z]{2}-[A-Z]{0,2}\d+(-[A-Z]\d?)?$")


def test_lens_csv_publication_numbers(corpus):
    path = corpus("lens-exports-oldham", "pizza_lens_1000_raw.csv")
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        rows = list(csv.DictReader(fh))
    ids = [normalise_id(r["Publication Number"]) for r in rows]
    assert len(ids) == 1000
    assert all(CANONICAL.match(i) and i.count("-") == 2 for i in ids), [
        i for i in ids if not CANONICAL.match(i)
    ][:5]
    assert normalise_id("US 2013/0101709 A1") in ids


def test_lens_jsonl_keys_agree(corpus):
    path = corpus("lens-exports-oldham", "Coronavirus-CPC-based-patents.blopeur.jsonl")
    for line in path.read_text(encoding="utf-8").splitlines()[:500]:
        obj = json.loads(line)
        from_key = normalise_id(obj["publicationKey"])
        assert CANONICAL.match(from_key), obj["publicationKey"]
        assert from_key == normalise_id(obj["displayKey"])
        assert from_key == make_id(obj["jurisdiction"], from_key.split("-")[1], obj["kindCode"])


def test_patentscope_numbers(corpus):
    path = corpus("wipo-patentscope-export-pizza", "patentscope_pizza_all_24294.DERIVED.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        numbers = [r["Publication Number"] for r in csv.DictReader(fh)]
    ids = [normalise_id(n) for n in numbers]
    canonical = [i for i in ids if CANONICAL.match(i)]
    # PATENTSCOPE lists carry no kind code; a few national spellings (e.g. MX "PA/a/2005/...") have no
    # DOCDB form and are kept as given, still unique.
    assert len(canonical) / len(ids) > 0.98
    assert normalise_id("US20050286606") == "US-20050286606"
    # Distinct numbers stay distinct; only case variants ("es2172462", "ES2172462") meet.
    assert len(set(ids)) == len({n.upper() for n in numbers})


def test_ops_docdb_and_epodoc_spellings_meet(corpus):
    path = corpus("epo-ops-patent-dev", "testdata__biblio.xml")
    root = etree.parse(str(path)).getroot()
    ns = {"ex": "http://www.epo.org/exchange"}
    checked = 0
    for doc in root.iterfind(".//ex:exchange-document", ns):
        canonical = make_id(doc.get("country"), doc.get("doc-number"), doc.get("kind"))
        assert CANONICAL.match(canonical)
        compact = doc.get("country") + doc.get("doc-number") + doc.get("kind")
        assert normalise_id(compact) == canonical
        checked += 1
    assert checked >= 1


def test_ppubs_guids_are_already_canonical(corpus):
    folder = corpus("uspto-ppubs-patent_client")
    guids = set()
    for f in folder.rglob("*.json"):
        guids.update(re.findall(r'"guid":\s*"([^"]+)"', f.read_text(encoding="utf-8", errors="replace")))
    assert guids
    for g in guids:
        canonical = normalise_id(g)
        assert CANONICAL.match(canonical), g
        # PPUBS pads plant numbers (US-PP03823-P); DOCDB does not.
        assert canonical == g or canonical == g.replace("-PP0", "-PP"), g
