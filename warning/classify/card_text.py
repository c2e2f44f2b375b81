"""How a trained watchlist decides, in words for people (English and Chinese): `warning train`
prints it and the web app's model card shows it, both from the card's ``cv``."""

from __future__ import annotations

DECISIONS = {
    "model": "the model / 模型",
    "blend": "the model with the rules' score / 模型结合规则得分",
    "rules": "the rules alone (any keyword or code hit; a competitor strengthens one) / 仅规则(任一关键词或分类号命中；竞争对手加强命中)",
    "union": "every rule hit plus the model's own finds / 全部规则命中加模型补充",
}


# Why not every decision was judged against the rules (`judging.judgeable`), by how the store's
# share was estimated (`judging.store_share`).
NOT_JUDGED = {
    "none": ", since neither the model nor the rules tell its few positives from the negatives"
    " / 正例太少且与反例无法区分，无法评估其他方式",
    "sweep": ", since its few positives hit the rules no more often than the negatives do: the"
    " model's finds could be judged added to every rule hit, not in their place; label more"
    " / 正例太少且很少命中规则：只能评估在全部规则命中之上补充模型结果，不能以模型取代规则；请补充标注",
    "rules": ", since with so few positives the model's scores cannot show how it would do in the store"
    " / 正例太少，模型的评分无法估计其在库中的表现，无法与规则比较",
}


def decision_text(cv: dict) -> str:
    """How a trained watchlist decides, for people: its mode and, where others were judged, the
    F1 each was expected to reach on the watchlist's own examples."""
    text = DECISIONS.get(cv["mode"], cv["mode"])
    method = cv.get("share_method")
    if method == "none" or cv.get("judged") is False:
        return text + NOT_JUDGED.get(method, NOT_JUDGED["rules"])
    others = cv.get("decisions") or {}
    if len(others) > 1:
        text += " (expected F1 预计F1: " + ", ".join(f"{m} {f1:.2f}" for m, f1 in others.items()) + ")"
    return text


def judging_text(card: dict) -> str:
    """What judged the model, where that is not what its figures seem to say: a cold start's
    positives are the rules' own hits, and reviewers' labels may have been left out of the judging
    (`judging.judging_rows`); "" where a labelled file's examples all judged."""
    counts = card.get("counts") or {}
    cv, examples = card.get("cv") or {}, counts.get("examples", 0)
    if hits := (counts.get("by_origin") or {}).get("rule"):
        # Every rule hit passes a cold start's decision, so its figures against those hits are
        # near 1.0 whatever their relevance: a user must not read them as the matches' precision.
        return (
            f"a cold start: its {hits} positives are the rules' own hits, so these figures say how well"
            " the model finds them again, not how many matches are relevant; review matches (warning label,"
            f" --suggest) or train with --data to measure that / 冷启动：{hits}个正例均为规则命中，以上指标"
            "只说明模型能否找回这些命中，不代表命中的相关性；请审阅命中或用 --data 训练以评估"
        )
    judging = cv.get("judging_examples")
    if not judging or judging >= examples:
        return ""
    return (
        f"the labelled file's {judging} of {examples} examples (reviewers' labels train the model,"
        f" not judge it) / 依据标注文件的{judging}条样本评估（审阅标注只用于训练）"
    )
