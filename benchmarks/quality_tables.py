"""The README's quality tables from `quality.py`'s JSON files (test parts and held-out sets).

    .venv/bin/python benchmarks/quality_tables.py benchmarks/out/quality.json [more.json ...]

Bold: ours ahead of the balanced reference (per line with all labels, and means at 100 / all),
or at least the keywords (means at 10 / 25 and the cold start).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

BUDGETS = ("10", "25", "100", "all")
SHORT = {"rules": "r", "blend": "b", "model": "m", "union": "u"}


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _bold(text: str, win: bool) -> str:
    return f"**{text}**" if win else text


def per_line(results: list[dict]) -> str:
    """All labelled positives, one row per line."""
    head = "| set | line | pos train/test | keywords | ref. balanced | ours | ours P / R | ours PR-AUC |"
    head += " decision | share est. | features |"
    rows = [head, "|" + "---|" * 11]
    for r in results:
        o, b = r.get("ours@all"), r.get("balanced@all")
        if o is None:
            continue
        cells = [
            r["set"],
            r["line"],
            f"{r['positives_train']}/{r['positives_test']}",
            _f(r["keywords"]["f1"]),
        ]
        cells += [_f(b["f1"]), _bold(_f(o["f1"]), o["f1"] > b["f1"])]
        cells += [f"{o['precision']:.2f} / {o['recall']:.2f}", _f(o["pr_auc"]), o.get("mode", "-")]
        cells += [o.get("share_method") or "-", o.get("families", "")]
        rows.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(rows)


def _mean(rows: list[dict], key: str) -> float | None:
    values = [r[key]["f1"] for r in rows if key in r]
    return float(np.mean(values)) if values and len(values) == len(rows) else None


def _modes(rows: list[dict], size: str) -> str:
    found: Counter = Counter()
    for r in rows:
        mode = r.get(f"ours@{size}", {}).get("mode")
        for m in mode if isinstance(mode, list) else [mode]:
            if m:
                found[SHORT.get(m, m)] += 1
    return " ".join(f"{k}{v}" for k, v in sorted(found.items()))


def means(results: list[dict]) -> str:
    """Mean F1 per set: keywords, ours and the balanced reference per budget, the cold starts."""
    head = "| set | keywords | ours 10 / 25 / 100 / all | ref. balanced 10 / 25 / 100 / all |"
    head += " cold start, 0 / 10 / 25 / 100 seeds | decisions at 10 / 25 (r, b, m, u; lines x draws) |"
    rows = [head, "|---|---|---|---|---|---|"]
    for label in dict.fromkeys(r["set"] for r in results):
        lines = [r for r in results if r["set"] == label]
        kw = _mean(lines, "keywords")
        ours, ref = [], []
        for size in BUDGETS:
            o, b = _mean(lines, f"ours@{size}"), _mean(lines, f"balanced@{size}")
            if o is None:
                ours.append("-")
                ref.append("-")
                continue
            win = o >= kw if size in ("10", "25") else o > b
            ours.append(_bold(_f(o), win))
            ref.append(_f(b))
        cold = [_mean(lines, f"cold@{n}") for n in (0, 10, 25, 100)]
        cold_cells = ["-" if c is None else _bold(_f(c), c >= kw) for c in cold]
        modes = " / ".join(_modes(lines, s) for s in ("10", "25"))
        cells = [label, _f(kw), " / ".join(ours), " / ".join(ref), " / ".join(cold_cells), modes]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def embeddings(results: list[dict]) -> str:
    """Sets measured with the embedding block: ours beside ours + emb., per budget."""
    head = (
        "| set | keywords | ours 10 / 25 / all | ours + emb. 10 / 25 / all | cold / cold + emb. (0 seeds) |"
    )
    rows = [head, "|---|---|---|---|---|"]
    for label in dict.fromkeys(r["set"] for r in results if "ours+emb@all" in r):
        lines = [r for r in results if r["set"] == label]
        plain = [_f(_mean(lines, f"ours@{s}")) for s in ("10", "25", "all")]
        emb = [_f(_mean(lines, f"ours+emb@{s}")) for s in ("10", "25", "all")]
        cold = f"{_f(_mean(lines, 'cold@0'))} / {_f(_mean(lines, 'cold+emb@0'))}"
        rows.append(
            f"| {label} | {_f(_mean(lines, 'keywords'))} | {' / '.join(plain)} | {' / '.join(emb)} | {cold} |"
        )
    return "\n".join(rows)


def main() -> None:
    results = [r for path in sys.argv[1:] for r in json.loads(Path(path).read_text())["lines"]]
    print(per_line(results), means(results), embeddings(results), sep="\n\n")


if __name__ == "__main__":
    main()
