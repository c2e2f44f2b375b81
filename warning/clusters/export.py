"""Search and export of a cluster's database: the web app's full-text search (titles, abstracts,
claims; Chinese, Japanese and Korean too), restricted to the cluster; rows to CSV or .xlsx with every text
cell neutralised (`warning.delivery.escaping.spreadsheet_cell`), so an office's title starting
with ``=`` stays text."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from warning.clusters.definitions import Cluster
from warning.delivery.escaping import spreadsheet_row
from warning.errors import WarningError
from warning.store import clusters as store

COLUMNS = ("id", "country", "kind", "publication_date", "title", "applicants", "cpc", "family_id", "origin")


def cluster_rows(db, cluster: Cluster, query: str = "", limit: int = 0) -> list[dict[str, Any]]:
    """The cluster's publications (those matching ``query``, best first, when given), flat."""
    ids = store.cluster_publication_ids(db, cluster.name, list(cluster.watchlists), list(cluster.countries))
    if query:
        ids = store.search_cluster(db, ids, query, limit or len(ids) or 1)
    elif limit:
        ids = ids[:limit]
    rows = {r["id"]: r for r in store.publication_rows(db, ids)}
    origins = store.origins(db, cluster.name)
    return [_flat(rows[i], origins.get(i, "store")) for i in ids if i in rows]


def _flat(row: dict[str, Any], origin: str) -> dict[str, Any]:
    titles = row["titles"]
    return {
        "id": row["id"],
        "country": row["country"],
        "kind": row["kind"],
        "publication_date": row["publication_date"] or "",
        "title": titles.get("en") or titles.get("zh") or next(iter(titles.values()), ""),
        "applicants": "; ".join(row["applicants"]),
        "cpc": " ".join(row["cpc"][:10]),
        "family_id": row["family_id"] or "",
        "origin": origin,
    }


def write_export(rows: list[dict[str, Any]], out: Path) -> None:
    """Write rows to ``out``: ``.csv`` (UTF-8 with BOM, which Excel opens as UTF-8) or ``.xlsx``."""
    suffix = out.suffix.lower()
    if suffix == ".csv":
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows(spreadsheet_row([r[c] for c in COLUMNS]) for r in rows)
    elif suffix == ".xlsx":
        # Deferred for start-up time: openpyxl loads only for a workbook.
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(list(COLUMNS))
        for r in rows:
            sheet.append(spreadsheet_row([r[c] for c in COLUMNS]))
        book.save(out)
    else:
        raise WarningError(f"{out}: export as .csv or .xlsx, not {suffix or 'no suffix'}")
