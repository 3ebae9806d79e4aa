"""The browsable page of the OpenAPI description (`/api/v1/docs/`), rendered on the server from the
description itself: no script, no CDN, so it works offline and under a strict CSP.

Endpoints are grouped by tag; each shows its methods, parameters, body, answers and security; the
shapes (components) follow, each property with its type and constraints."""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 2rem;color:#1d2330}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #dde;padding-bottom:.2rem;margin-top:2rem}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}pre{white-space:pre-wrap;background:#f5f6f8;padding:.6rem}
details{border:1px solid #dde;border-radius:4px;margin:.4rem 0;padding:.3rem .6rem}summary{cursor:pointer}
.m{display:inline-block;min-width:4.5rem;font-weight:700;font-family:ui-monospace,monospace}
.get{color:#1463a5}.post{color:#1b7f3b}.put{color:#9a5b00}.patch{color:#7a4fb0}.delete{color:#b3261e}
table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #dde;padding:.2rem .5rem;text-align:left;
vertical-align:top}nav a{margin-right:.8rem}
"""
CSP = ("default-src 'none'; style-src 'sha256-{hash}'; img-src 'self' data:; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")


def content_security_policy() -> str:
    digest = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
    return CSP.replace("{hash}", digest)


def render_page(description: dict[str, Any]) -> str:
    info = description["info"]
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, operations in description["paths"].items():
        for method, operation in operations.items():
            by_tag.setdefault(operation["tags"][0], []).append((path, method, operation))
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(info['title'])}</title>",
             "<meta name=viewport content='width=device-width,initial-scale=1'>",
             f"<style>{STYLE}</style></head><body>",
             f"<h1>{escape(info['title'])} <small>{escape(info['version'])}</small></h1>",
             f"<p>OpenAPI {escape(description['openapi'])}; the JSON is at <a href='../schema/'><code>"
             f"/api/v1/schema/</code></a>.</p><pre>{escape(info.get('description', ''))}</pre><nav>",
             *(f"<a href='#tag-{escape(tag)}'>{escape(tag)}</a>" for tag in sorted(by_tag)),
             "<a href='#schemas'>shapes</a></nav>"]
    for tag in sorted(by_tag):
        parts.append(f"<h2 id='tag-{escape(tag)}'>{escape(tag)}</h2>")
        parts += (_operation(path, method, operation) for path, method, operation in by_tag[tag])
    parts.append("<h2 id=schemas>Shapes</h2>")
    for name, schema in sorted(description["components"]["schemas"].items()):
        parts.append(f"<details id='schema-{escape(name)}'><summary><b>{escape(name)}</b></summary>"
                     f"{_schema(schema)}</details>")
    parts.append("</body></html>")
    return "".join(parts)


def _operation(path: str, method: str, operation: dict[str, Any]) -> str:
    security = operation.get("security")
    login = ("no credentials read" if security == [] else
             "login optional (a bad token is refused)" if security and {} in security else "login required")
    parts = [f"<details><summary><span class='m {method}'>{method.upper()}</span> <code>{escape(path)}</code> "
             f"{escape(operation.get('summary', ''))}</summary><p>{escape(login)}"
             f"{'. ' + escape(operation['description']) if operation.get('description') else ''}</p>"]
    parameters = operation.get("parameters", [])
    if parameters:
        parts.append("<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>")
        parts += (f"<tr><td><code>{escape(p['name'])}</code>{' *' if p.get('required') else ''}</td>"
                  f"<td>{escape(p['in'])}</td><td>{_type(p.get('schema', {}))}</td>"
                  f"<td>{escape(p.get('description', ''))}</td></tr>" for p in parameters)
        parts.append("</table>")
    body = operation.get("requestBody")
    if body:
        for media_type, content in body["content"].items():
            parts.append(f"<p>Body ({escape(media_type)}{', required' if body.get('required') else ''}): "
                         f"{_type(content['schema'])}</p>")
    parts.append("<table><tr><th>status</th><th>answer</th></tr>")
    for status, answer in operation["responses"].items():
        text = _ref_name(answer["$ref"]) if "$ref" in answer else answer.get("description", "")
        shapes = ", ".join(_type(c["schema"]) for c in answer.get("content", {}).values())
        parts.append(f"<tr><td>{escape(status)}</td><td>{escape(text)} {shapes}</td></tr>")
    parts.append("</table></details>")
    return "".join(parts)


def _schema(schema: dict[str, Any]) -> str:
    properties = schema.get("properties")
    if not properties:
        return f"<p>{_type(schema)} {escape(schema.get('description', ''))}</p>"
    required = set(schema.get("required", []))
    rows = "".join(f"<tr><td><code>{escape(name)}</code>{' *' if name in required else ''}</td>"
                   f"<td>{_type(prop)}</td><td>{escape(_constraints(prop))}</td></tr>"
                   for name, prop in properties.items())
    return f"<table><tr><th>field</th><th>type</th><th>rules</th></tr>{rows}</table>"


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = escape(_ref_name(schema["$ref"]))
        return f"<a href='#schema-{name}'>{name}</a>" if "/schemas/" in schema["$ref"] else name
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return " | ".join(_type(s) for s in schema[key])
    kind = schema.get("type", "any")
    text = " | ".join(kind) if isinstance(kind, list) else str(kind)
    if kind == "array" and "items" in schema:
        return f"array of {_type(schema['items'])}"
    if kind == "object" and "properties" in schema and "results" in schema["properties"]:
        return f"page of {_type(schema['properties']['results']['items'])}"
    return escape(text + (f" ({schema['format']})" if "format" in schema else ""))


def _constraints(prop: dict[str, Any]) -> str:
    keys = ("enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "default", "description")
    return "; ".join(f"{key} {prop[key]}" for key in keys if key in prop)
