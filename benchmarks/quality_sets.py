"""Labelled sets for `quality.py` beyond the two it was tuned on, built from `../shared/corpus`.

- full text: the USPTO and EP full-text documents (XML, and USPTO Patent Public Search JSON) that
  carry claims, one line per IPC section, read through the service's own parsers; measured as
  title + abstract and as title + abstract + claims (item 4 of issue 16);
- held out (never used to choose anything; run with ``--held-out``): the ordinary lines on titles
  only; other IPC lines of the same US grants; other IPC lines of the PATENTSCOPE pizza export;
  the two Lens.org exports (titles, CPC; the COVID-19 one has Japanese, Chinese, Korean titles).

Keywords are what a user would write for each line, written once, before any run.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from quality import CORPUS, load_hard, load_ordinary

FULL_TEXT_LINES = {
    "A human necessities": (
        ("A",),
        ["medical", "food", "garment", "pharmaceutical", "patient", "agricultur"],
    ),
    "B operations, transport": (
        ("B",),
        ["vehicle", "machine", "printing", "conveying", "cutting", "laminate"],
    ),
    "C chemistry": (("C",), ["compound", "chemical", "polymer", "composition", "process for preparing"]),
    "G physics": (("G",), ["computer", "data", "measuring", "optical", "signal", "image"]),
    "H electricity": (("H",), ["electric", "semiconductor", "circuit", "connector", "wireless", "battery"]),
}
ORDINARY_OTHER = {
    "C07D heterocyclic compounds": (
        ("C07D",),
        ["compound", "derivative", "heterocycl", "pyrimidin", "pyridin"],
    ),
    "G01N analysis": (("G01N",), ["measuring", "detecting", "analysis", "sensor", "sample", "assay"]),
    "B65D containers": (("B65D",), ["container", "package", "closure", "bottle", "lid", "packaging"]),
    "E21B drilling": (("E21B",), ["well", "drilling", "borehole", "downhole", "wellbore"]),
    "A01N biocides": (("A01N",), ["herbicid", "pesticid", "fungicid", "insecticid", "plant growth"]),
}
HARD_OTHER = {
    "foods A23L": (("A23L",), ["food", "sauce", "cheese", "flavor", "seasoning", "nutritional"]),
    "kitchen A47J": (("A47J",), ["cooking", "kitchen", "cutter", "utensil", "pan", "grill"]),
    "heating H05B": (("H05B",), ["heating", "microwave", "induction", "heater", "lamp"]),
    "computing G06F": (("G06F",), ["computer", "data", "user interface", "software", "display"]),
}
LENS_PIZZA = {
    "baking A21B": (("A21B",), ["oven", "baking", "bake"]),
    "foods A23L/A21D": (("A23L", "A21D"), ["dough", "crust", "sauce", "cheese", "food"]),
    "packaging B65D": (("B65D",), ["box", "package", "container", "carton", "packaging"]),
}
LENS_COVID = {  # A61K left out: 1,352 of the 1,470 records carry it
    "peptides C07K": (("C07K",), ["antibod", "protein", "peptide", "polypeptide"]),
    "detection C12Q": (("C12Q",), ["detection", "primer", "probe", "pcr", "nucleic acid"]),
    "assays G01N": (("G01N",), ["detection", "assay", "kit", "test", "diagnos"]),
}


def load_full_text(with_claims: bool) -> list[dict]:
    """Full-text publications with claims and codes, as the service parses them."""
    from warning.models import Publication
    from warning.sources.files import expand_paths, parse_file

    logging.disable(logging.WARNING)  # the EP files' repaired-XML warnings
    roots = [CORPUS / "uspto-bulk-xml", CORPUS / "epo-eps-xml", CORPUS / "uspto-ppubs-patent_client"]
    pubs: dict[str, Publication] = {}
    for path in expand_paths(roots):
        try:
            pubs |= {p.id: p for p in parse_file(path) if isinstance(p, Publication)}
        except Exception:  # noqa: BLE001 - a file the service cannot read is not part of the set
            continue
    logging.disable(logging.NOTSET)
    docs = []
    for pub in sorted(pubs.values(), key=lambda p: p.id):
        codes = [c.replace(" ", "") for c in [*pub.ipc, *pub.cpc]]
        if not (any(pub.claims.values()) and any(pub.titles.values()) and codes):
            continue
        parts = [*pub.titles.values(), *pub.abstracts.values()]
        parts += list(pub.claims.values()) if with_claims else []
        docs.append({"id": pub.id, "text": "\n".join(p for p in parts if p), "codes": codes})
    return docs


def load_ordinary_titles() -> list[dict]:
    return [{**d, "text": d["text"].split("\n", 1)[0]} for d in load_ordinary()]


def load_lens_pizza() -> list[dict]:
    import csv

    docs = []
    path = CORPUS / "lens-exports-oldham" / "pizza_lens_1000_raw.csv"
    with open(path, encoding="cp1252", errors="replace", newline="") as fh:  # a Windows export
        for row in csv.DictReader(fh):
            codes = [
                c for c in (row["CPC Classifications"] + ";;" + row["IPCR Classifications"]).split(";;") if c
            ]
            if row["Title"].strip():
                docs.append({"id": row["Publication Number"], "text": row["Title"], "codes": codes})
    return docs


def load_lens_covid() -> list[dict]:
    docs = []
    path = CORPUS / "lens-exports-oldham" / "Coronavirus-CPC-based-patents.blopeur.jsonl"
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        codes = [*rec.get("cpcClassifications", []), *rec.get("ipcrClassifications", [])]
        if rec.get("title", "").strip():
            docs.append({"id": rec["publicationKey"], "text": rec["title"], "codes": codes})
    return docs


def held_out_sets() -> list[tuple[str, dict, object]]:
    """(set name, lines, loader) of the sets looked at only at the end."""
    from quality import ORDINARY

    return [  # the quick ones first
        ("Lens pizza (titles)", LENS_PIZZA, load_lens_pizza),
        ("Lens COVID-19 (titles; some zh/ja/ko)", LENS_COVID, load_lens_covid),
        ("ordinary: other lines", ORDINARY_OTHER, load_ordinary),
        ("ordinary: titles only", ORDINARY, load_ordinary_titles),
        ("hard: other lines", HARD_OTHER, load_hard),
    ]
