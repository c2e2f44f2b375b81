"""Every word the web pages show, in Chinese and English; the person's language picks one."""

from __future__ import annotations

from typing import NoReturn

from werkzeug.exceptions import BadRequest

LANGUAGES = ("zh", "en")

# key: (zh, en)
_WORDS: dict[str, tuple[str, str]] = {
    "brand": ("专利预警", "Patent early warning"),
    "inbox": ("待审", "Inbox"),
    "search": ("检索", "Search"),
    "register": ("风险台账", "Risk register"),
    "watchlists": ("产品线", "Watchlists"),
    "digests": ("简报", "Digests"),
    "clusters": ("产业集群", "Clusters"),
    "cluster_workbook": ("下载 Excel 报告", "Download the Excel report"),
    "status": ("运行状态", "Status"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "user": ("用户名", "Login"),
    "password": ("密码", "Password"),
    "bad_login": ("用户名或密码不正确。", "Wrong login or password."),
    "too_many": ("尝试次数过多，请稍后再试。", "Too many attempts; try again later."),
    "language": ("English", "中文"),
    "watchlist": ("产品线", "Watchlist"),
    "country": ("国家/地区", "Country"),
    "since": ("起始日期", "Since"),
    "until": ("截止日期", "Until"),
    "min_score": ("最低相关度", "Min. score"),
    "reviewed": ("审阅", "Reviewed"),
    "any": ("全部", "any"),
    "yes": ("已审", "yes"),
    "no": ("未审", "no"),
    "filter": ("筛选", "Filter"),
    "score": ("相关度", "Score"),
    "title": ("标题", "Title"),
    "published": ("公开日", "Published"),
    "filed": ("申请日", "Filed"),
    "priority": ("优先权日", "Priority"),
    "label": ("标注", "Label"),
    "relevant": ("相关", "Relevant"),
    "irrelevant": ("不相关", "Not relevant"),
    "open_case": ("立案", "Open a case"),
    "nothing": ("没有符合条件的记录。", "Nothing matches."),
    "shortcuts": (
        "快捷键：j 下一条 · k 上一条 · r 相关 · n 不相关 · c 立案 · o 打开",
        "Keys: j next · k previous · r relevant · n not relevant · c open case · o open",
    ),
    "next_page": ("下一页", "Next page"),
    "abstract": ("摘要", "Abstract"),
    "claims": ("权利要求", "Claims"),
    "applicants": ("申请人", "Applicants"),
    "inventors": ("发明人", "Inventors"),
    "codes": ("分类号", "Classification"),
    "dates": ("日期", "Dates"),
    "family": ("同族", "Family"),
    "legal_events": ("法律状态", "Legal events"),
    "links": ("原文链接", "At the office"),
    "matches": ("命中", "Matches"),
    "evidence": ("命中原因", "Evidence"),
    "cases": ("风险案件", "Cases"),
    "application_number": ("申请号", "Application"),
    "labelled": ("已标注", "Labelled"),
    "query": ("检索词", "Query"),
    "hits": ("条结果", "hits"),
    "case": ("案件", "Case"),
    "severity": ("风险等级", "Severity"),
    "owner": ("负责人", "Owner"),
    "deadline": ("期限", "Deadline"),
    "due_within": ("期限在几天内", "Due within (days)"),
    "deadlines": ("期限", "Deadlines"),
    "deadline_passed": ("已过", "passed"),
    "deadlines_opened": ("本文献开启的期限", "Deadlines this publication opens"),
    "history": ("处理记录", "History"),
    "action": ("处置方式", "Action"),
    "outcome": ("结论", "Outcome"),
    "note": ("备注", "Note"),
    "save": ("保存", "Save"),
    "close_case": ("结案", "Close the case"),
    "export": ("导出 Excel", "Export .xlsx"),
    "all": ("全部", "all"),
    "rules": ("规则", "Rules"),
    "model_card": ("模型卡片", "Model card"),
    "decides_by": ("决策方式", "Decides by"),
    "review_queue": ("建议审阅", "Review queue"),
    "why_uncertain": ("最接近阈值", "nearest the threshold"),
    "why_sample": ("随机抽样", "drawn at random"),
    "retrain": ("重新训练", "Retrain"),
    "retrained": ("已重新训练。", "Retrained."),
    "threshold": ("阈值", "Threshold"),
    "labels_by_origin": ("标注来源", "Labels by origin"),
    "sent_at": ("发送时间", "Sent"),
    "subscriber": ("订阅者", "Subscriber"),
    "view": ("查看", "View"),
    "publications": ("专利文献", "Publications"),
    "quarantined": ("隔离", "Quarantined"),
    "alerts_pending": ("待发预警", "Alerts pending"),
    "alerts_sent": ("已发预警", "Alerts sent"),
    "alerts_dead": ("发送失败", "Alerts failed"),
    "labels": ("标注", "Labels"),
    "risk_cases_open": ("未结案件", "Open cases"),
    "sources": ("数据源", "Sources"),
    "runs": ("最近运行", "Recent runs"),
    "quarantine_kinds": ("隔离原因", "Why documents were quarantined"),
    "quarantine_among": ("统计最近的条目数", "counted among the newest"),
    "quarantine_more": ("更多原因：warning quarantine", "More kinds: warning quarantine"),
    "schedule": ("计划任务", "Schedule"),
    "not_found": ("没有找到该页面。", "Not found."),
    "method_not_allowed": (
        "此地址不接受该请求方法（可用：{allowed}）。",
        "This address does not take that method (allowed: {allowed}).",
    ),
    "forbidden_form": ("表单已过期，请重试。", "The form expired; please try again."),
    "server_error": ("服务器出错，已记录。", "Something went wrong on the server; it has been logged."),
    "saved": ("已保存。", "Saved."),
    "label_saved": ("已标注。", "Label saved."),
    "case_opened": ("已立案：", "Case opened: "),
    "status_label": ("状态", "Status"),
    "opened": ("立案日", "Opened"),
    "no_model": ("尚无模型。", "No model yet."),
    "feed": ("订阅源 (Atom)", "Atom feed"),
    "terms": ("关键特征词", "Top terms"),
    "keywords": ("关键词", "Keywords"),
    "rule_hits": ("规则命中", "Rules hit"),
    # Refusals of a value given in the address (`refuse`): the page says what was wrong.
    "bad_status": ("状态须为以下之一：{allowed}", "status must be one of {allowed}"),
    "bad_due": ("期限天数须为整数：{value}", "due must be a number of days: {value}"),
    "bad_date": ("日期格式须为 YYYY-MM-DD：{value}", "not a date (YYYY-MM-DD): {value}"),
    "bad_score": ("相关度须在 0 到 1 之间：{value}", "not a score between 0 and 1: {value}"),
    "link_used": (
        "该链接已使用过，标注未重复记录。",
        "This link was used already; nothing was recorded twice.",
    ),
}


def translate(key: str, language: str) -> str:
    """The word for ``key`` in ``language`` (zh or en); an unknown key shows as itself."""
    pair = _WORDS.get(key)
    if pair is None:
        return key
    return pair[0] if language == "zh" else pair[1]


def choose_language(value: str | None, default: str = "zh") -> str:
    """``value`` if it is a language the pages speak, else ``default``."""
    return value if value in LANGUAGES else default


class Refusal(BadRequest):
    """A 400 for a value the person gave, said in the page's language (the API answers in English).

    ``key`` names the message in the words above, ``fields`` fill it in (`refuse`).
    """

    def __init__(self, key: str, **fields: str) -> None:
        super().__init__(description=translate(key, "en").format(**fields))
        self.key, self.fields = key, fields


def refuse(key: str, **fields: str) -> NoReturn:
    """Refuse the request with message ``key`` (its ``fields`` filled in): 400, in the page's language."""
    raise Refusal(key, **fields)
