"""The words of a cluster report in Chinese and English (the HTML page and the workbook share them)."""

from __future__ import annotations

from warning.clusters.competitors import STATUS_LABELS, STATUSES

LANGUAGES = ("zh", "en")
TEXT = {
    "zh": {
        "report": "产业集群专利态势报告",
        "generated": "生成日期",
        "window": "检索时间范围",
        "markets": "目标市场",
        "competitors": "竞争对手",
        "filings": "专利申请",
        "publications": "公开文献",
        "per_year": "各年度、各国家/地区申请量",
        "top_applicants": "主要申请人（名称已归一）",
        "codes": "技术分类（CPC 小类）",
        "status": "法律状态：授权、审查中、失效",
        "new_entrants": "新进入者（近两年首次申请）",
        "portfolios": "竞争对手在各目标市场的专利组合",
        "families": "覆盖多个目标市场的同族",
        "applicant": "申请人",
        "first_year": "首次申请年份",
        "count": "数量",
        "code": "分类",
        "family": "同族号",
        "title": "标题",
        "other": "其他",
        "none": "无",
        "country": "国家/地区",
        "status_col": "状态",
        "year": "年份",
        "id": "公开号",
    },
    "en": {
        "report": "Patent landscape of an industry cluster",
        "generated": "Generated",
        "window": "Search window",
        "markets": "Target markets",
        "competitors": "Competitors",
        "filings": "filings",
        "publications": "publications",
        "per_year": "Filings per year and country",
        "top_applicants": "Top applicants (names normalised)",
        "codes": "Technology codes (CPC subclasses)",
        "status": "Legal status: granted, pending, lapsed",
        "new_entrants": "New entrants (first filing in the last two years)",
        "portfolios": "Competitors' portfolios per target market",
        "families": "Families spanning several target markets",
        "applicant": "Applicant",
        "first_year": "First filing",
        "count": "Filings",
        "code": "Code",
        "family": "Family",
        "title": "Title",
        "other": "other",
        "none": "none",
        "country": "Country",
        "status_col": "Status",
        "year": "Year",
        "id": "Publication",
    },
}


def status_labels(lang: str) -> dict[str, str]:
    index = LANGUAGES.index(lang)
    return {s: STATUS_LABELS[s][index] for s in STATUSES}
