"""The OpenAPI 3.1 description of /api/v1/, served at /api/v1/openapi.json."""

from __future__ import annotations

_ERROR = {
    "description": "error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_NOT_FOUND = {**_ERROR, "description": "no such object, or one another organisation owns"}


def _json(schema_ref: str, description: str = "ok") -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


_LABEL = {"type": ["string", "null"], "enum": ["relevant", "irrelevant", None]}

SPEC: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "Patent early warning API",
        "version": "1",
        "description": "Matches, publications, labels, risk cases and search, within the organisation of "
        "the bearer token's owner (`warning tokens create LOGIN --name NAME`). "
        "What another organisation owns answers 404.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {
        "/matches": {
            "get": {
                "summary": "Matches to review, newest first (then highest score)",
                "parameters": [
                    _query("watchlist", "one watchlist"),
                    _query("country", "office code, e.g. EP"),
                    _query("since", "matched on or after (YYYY-MM-DD)", {"type": "string", "format": "date"}),
                    _query("until", "matched before (YYYY-MM-DD)", {"type": "string", "format": "date"}),
                    _query("min_score", "0..1", {"type": "number"}),
                    _query("reviewed", "yes or no", {"type": "string", "enum": ["yes", "no"]}),
                    _query("limit", "1..500, default 100", {"type": "integer"}),
                    _query("cursor", "the `next` of the previous page"),
                ],
                "responses": {"200": _json("#/components/schemas/MatchPage"), "400": _ERROR, "401": _ERROR},
            }
        },
        "/publications/{id}": {
            "get": {
                "summary": "One publication with its matches",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json("#/components/schemas/Publication"), "404": _NOT_FOUND},
            }
        },
        "/labels": {
            "post": {
                "summary": "Judge a match relevant or not (the classifier learns from it at the next training)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LabelIn"}}},
                },
                "responses": {
                    "201": _json("#/components/schemas/Label", "recorded"),
                    "400": _ERROR,
                    "403": _ERROR,
                    "404": _NOT_FOUND,
                },
            }
        },
        "/cases": {
            "get": {
                "summary": "Risk cases",
                "parameters": [_query("status", "new, assessing, action or closed")],
                "responses": {"200": _json("#/components/schemas/CaseList")},
            },
            "post": {
                "summary": "Open a case on a match (or join the open one)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseIn"}}},
                },
                "responses": {
                    "201": _json("#/components/schemas/Case", "opened"),
                    "400": _ERROR,
                    "404": _NOT_FOUND,
                },
            },
        },
        "/cases/{id}": {
            "patch": {
                "summary": "Change a case; status closed with an outcome closes it",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CasePatch"}}},
                },
                "responses": {
                    "200": _json("#/components/schemas/Case"),
                    "400": _ERROR,
                    "403": _ERROR,
                    "404": _NOT_FOUND,
                },
            }
        },
        "/search": {
            "get": {
                "summary": "Full-text search (Chinese, Japanese and Korean included), best first",
                "parameters": [
                    {**_query("q", "the words"), "required": True},
                    _query("limit", "1..500", {"type": "integer"}),
                ],
                "responses": {"200": _json("#/components/schemas/SearchPage")},
            }
        },
        "/clusters": {
            "get": {
                "summary": "Industry clusters the organisation sees",
                "responses": {"200": _json("#/components/schemas/ClusterList")},
            }
        },
        "/clusters/{name}": {
            "get": {
                "summary": "A cluster's landscape: counts per year and country, applicants, codes, "
                "legal statuses, competitors' portfolios per market, families across markets",
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": _json("#/components/schemas/Landscape"), "404": _NOT_FOUND},
            }
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
            "Match": {
                "type": "object",
                "properties": {
                    "publication": {"type": "string", "examples": ["EP-4217017-B1"]},
                    "watchlist": {"type": "string"},
                    "score": {"type": "number"},
                    "title": {"type": "string"},
                    "country": {"type": "string"},
                    "published": {"type": ["string", "null"], "format": "date"},
                    "matched_at": {"type": "string"},
                    "label": _LABEL,
                },
                "required": ["publication", "watchlist", "score", "title", "country", "published", "label"],
            },
            "MatchPage": {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Match"}},
                    "next": {"type": ["string", "null"]},
                },
                "required": ["items", "next"],
            },
            "Publication": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "country": {"type": "string"},
                    "titles": {"type": "object", "additionalProperties": {"type": "string"}},
                    "abstracts": {"type": "object", "additionalProperties": {"type": "string"}},
                    "claims": {"type": "object", "additionalProperties": {"type": "string"}},
                    "applicants": {"type": "array", "items": {"type": "string"}},
                    "matches": {"type": "array", "items": {"type": "object"}},
                    "url": {"type": "string"},
                },
                "required": ["id", "country", "titles", "matches"],
            },
            "LabelIn": {
                "type": "object",
                "properties": {
                    "publication": {"type": "string"},
                    "watchlist": {"type": "string"},
                    "label": {"enum": ["relevant", "irrelevant"]},
                },
                "required": ["publication", "watchlist", "label"],
            },
            "Label": {
                "type": "object",
                "properties": {
                    "publication": {"type": "string"},
                    "watchlist": {"type": "string"},
                    "label": _LABEL,
                },
                "required": ["publication", "watchlist", "label"],
            },
            "CaseIn": {
                "type": "object",
                "properties": {"publication": {"type": "string"}, "watchlist": {"type": "string"}},
                "required": ["publication", "watchlist"],
            },
            "CasePatch": {
                "type": "object",
                "properties": {
                    k: {"type": "string"}
                    for k in ("status", "action", "owner", "severity", "outcome", "note")
                },
            },
            "Case": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "publication": {"type": "string"},
                    "status": {"type": "string"},
                    "severity": {"type": "string"},
                    "deadlines": {"type": "array", "items": {"type": "object"}},
                },
                "required": ["id", "publication", "status", "severity", "deadlines"],
            },
            "CaseList": {
                "type": "object",
                "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}}},
            },
            "ClusterList": {
                "type": "object",
                "properties": {"items": {"type": "array", "items": {"type": "object"}}},
            },
            "Landscape": {
                "type": "object",
                "properties": {
                    "cluster": {"type": "string"},
                    "filings": {"type": "integer"},
                    "publications": {"type": "integer"},
                    "per_year_country": {"type": "object"},
                    "top_applicants": {"type": "array", "items": {"type": "object"}},
                    "codes": {"type": "array", "items": {"type": "object"}},
                    "statuses": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "new_entrants": {"type": "array", "items": {"type": "object"}},
                    "portfolios": {"type": "object"},
                    "families": {"type": "array", "items": {"type": "object"}},
                },
                "required": ["cluster", "filings", "publications", "statuses"],
            },
            "SearchPage": {
                "type": "object",
                "properties": {"items": {"type": "array", "items": {"type": "object"}}},
            },
        },
    },
}
