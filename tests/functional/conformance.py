"""Every answer of the functional tests is checked against the OpenAPI description.

`Api` (conftest.py) hands each request to /api/v1/... and its answer to `check`: the operation is
found by matching the path against the description's path templates and the method; its status
must be documented for that operation, documented headers marked `required` must be there (and
every documented header present must match its schema), the content type must be documented, and a
JSON body must validate against the documented schema (JSON Schema 2020-12, with formats, the
description's components resolved by `$ref`). Validators are compiled once per response.

Not checked: paths outside /api/v1/, the /api/v1/docs/ page's HTML, OPTIONS (CORS preflights and
DRF's metadata answer) and paths no template matches (a path without its trailing slash answers
308; an unknown path 404). A method a described path does not list answers what the description's
introduction says: 405 with `Allow`, or the 401/403/429/503 that come first, as a `Detail`.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import jsonschema_rs
from webob import Request

SCHEMA = "/api/v1/schema/"
URI = "urn:wiwebb:openapi"
_PLACEHOLDER = re.compile(r"\\\{\w+\\\}")  # a placeholder, once re.escape'd
# What a method a path does not list may answer (the description's introduction).
UNLISTED_METHOD = {401, 403, 405, 429, 503}


class NonConformance(AssertionError):
    pass


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class Conformance:
    def __init__(self, description: dict[str, Any]) -> None:
        self.description = description
        self.registry = jsonschema_rs.Registry([(URI, description)], draft=jsonschema_rs.Draft202012)
        templates = sorted(description["paths"], key=lambda t: (t.count("{"), t))  # literal paths first
        self.templates = [(re.compile(_PLACEHOLDER.sub(r"\\d+", re.escape(t)) + "$"), t) for t in templates]
        self.validators: dict[str, jsonschema_rs.Validator] = {}

    def template(self, path: str) -> str | None:
        return next((template for pattern, template in self.templates if pattern.match(path)), None)

    def check(self, method: str, path: str, status: int, headers: Any, content_type: str, body: bytes) -> None:
        """Raise `NonConformance` when the answer is not what the description documents."""
        if not path.startswith("/api/v1/") or method == "OPTIONS":
            return
        template = self.template(path)
        if template is None:
            return
        where = f"{method} {path} -> {status}"
        operations = self.description["paths"][template]
        operation = operations.get("get" if method == "HEAD" else method.lower())
        if operation is None:
            if status not in UNLISTED_METHOD:
                raise NonConformance(f"{where}: {method} is not described for {template}, and {status} is not "
                                     f"one of {sorted(UNLISTED_METHOD)}")
            if status == 405 and "Allow" not in headers:
                raise NonConformance(f"{where}: a 405 without `Allow`")
            pointer = "#/components/schemas/Detail"
            self._validate(where, pointer, self._json(where, content_type, body))
            return
        base = f"#/paths/{_escape(template)}/{'get' if method == 'HEAD' else method.lower()}/responses"
        key = next((k for k in (str(status), f"{status // 100}XX", "default") if k in operation["responses"]), None)
        if key is None:
            raise NonConformance(f"{where}: {status} is not documented for {method} {template} "
                                 f"(documented: {', '.join(sorted(operation['responses']))})")
        response, pointer = self._resolve(operation["responses"][key], f"{base}/{_escape(key)}")
        for name, header in response.get("headers", {}).items():
            self._check_header(where, name, header, headers.get(name))
        if method == "HEAD":
            return
        content = response.get("content")
        if not content:
            if body:
                raise NonConformance(f"{where}: a body where none is documented: {body[:200]!r}")
            return
        media = content_type.split(";")[0].strip()
        if media not in content:
            raise NonConformance(f"{where}: content type {media!r} is not documented ({', '.join(content)})")
        if media == "application/json" and "schema" in content[media]:
            self._validate(where, f"{pointer}/content/application~1json/schema", self._json(where, media, body))

    def _resolve(self, response: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
        while "$ref" in response:
            pointer = response["$ref"]
            response = self.description
            for token in pointer.removeprefix("#/").split("/"):
                response = response[token.replace("~1", "/").replace("~0", "~")]
        return response, pointer

    def _check_header(self, where: str, name: str, header: dict[str, Any], value: str | None) -> None:
        if value is None:
            if header.get("required"):
                raise NonConformance(f"{where}: the documented header {name} is missing")
            return
        schema = header.get("schema", {})
        checked: Any = value
        if schema.get("type") == "integer" and value.isdigit():
            checked = int(value)
        if not jsonschema_rs.Draft202012Validator(schema).is_valid(checked):
            raise NonConformance(f"{where}: header {name}: {value!r} does not match {schema}")

    @staticmethod
    def _json(where: str, content_type: str, body: bytes) -> Any:
        if not content_type.startswith("application/json"):
            raise NonConformance(f"{where}: content type {content_type!r}, not JSON")
        try:
            return json.loads(body)
        except ValueError as error:
            raise NonConformance(f"{where}: the body is not JSON ({error}): {body[:200]!r}") from None

    def _validate(self, where: str, pointer: str, instance: Any) -> None:
        validator = self.validators.get(pointer)
        if validator is None:
            validator = self.validators[pointer] = jsonschema_rs.Draft202012Validator(
                {"$ref": URI + quote(pointer, safe="#/~")}, registry=self.registry, validate_formats=True)
        error = next(iter(validator.iter_errors(instance)), None)
        if error is not None:
            at = "/".join(str(p) for p in error.instance_path) or "(the body)"
            schema_at = "/".join(str(p) for p in error.schema_path)
            raise NonConformance(f"{where}: the body does not match {pointer}: at {at}: {error.message} "
                                 f"(schema: {schema_at})\nbody: {json.dumps(instance)[:1000]}")


_read: list[Conformance] = []


def conformance_of(app: Any) -> Conformance:
    """The description is built from the code alone (the same for every app of the run): it is
    read once, from the first app, by a request of its own (from an address no test uses, so that
    no throttling bucket of a test counts it)."""
    if not _read:
        answer = Request.blank(SCHEMA, environ={"REMOTE_ADDR": "192.0.2.250"}).get_response(app)
        assert answer.status_int == 200, answer.text
        _read.append(Conformance(answer.json))
    return _read[0]
