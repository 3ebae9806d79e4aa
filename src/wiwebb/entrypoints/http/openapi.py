"""The OpenAPI 3.1 description of the API, built with apispec from the route table and the
marshmallow schemas, and served at `/api/v1/schema/` (JSON) and `/api/v1/docs/` (a page).

The routes and their views come from Pyramid's introspector, so a route added to `routes.py` is
described (or, without an entry in `openapi_paths.OPERATIONS`, fails the description's test). The
errors of each operation are derived from its view (authentication, permission, path ids, bodies,
filters, throttling), plus those its domain service adds (`Operation.errors`).
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from pyramid.request import Request
from pyramid.security import NO_PERMISSION_REQUIRED

from wiwebb.domain.rbac import MATRIX, Permission, Scope

from . import openapi_shapes
from .openapi_fields import map_field_types
from .openapi_paths import ARRAY, BODY_RULES, NULLABLE, OPERATIONS, PAGE, Operation
from .security import PUBLIC

_PLACEHOLDER = re.compile(r"\{(\w+)(?::[^}]*)?\}")

ERRORS: dict[int, tuple[str, str]] = {  # status: (component name, description)
    400: ("BadRequest", "Invalid body or query: DRF's field errors, or `detail` (bad JSON, a refused operation)."),
    401: ("Unauthorized", "No credentials where a login is needed, or a bad token (even where none is needed)."),
    403: ("Forbidden", "The caller's role may not do this."),
    404: ("NotFound", "No such object, or one outside the caller's reach; `Invalid page.` for a page past the end."),
    409: ("Conflict", "Another operation of the same user is still running; retry after `Retry-After`."),
    413: ("PayloadTooLarge", "A body over the size limit (1 MiB), refused before the API parses it."),
    415: ("UnsupportedMediaType", "A body that is neither JSON nor a form."),
    429: ("Throttled", "Too many requests; retry after `Retry-After` seconds."),
    503: ("Unavailable", "The database or the payment provider cannot be reached now (or none is configured)."),
    500: ("ServerError", "Anything unexpected; the traceback is logged under `request_id`."),
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "required": True,
                                "schema": {"type": "string", "pattern": r"^\d+$"}}}
_HEADERS = {401: {"WWW-Authenticate": {"required": True, "schema": {"type": "string", "const": "Token"}}},
            409: _RETRY_AFTER, 429: _RETRY_AFTER, 503: _RETRY_AFTER}

INTRODUCTION = """\
WiWebb's HTTP API (v1). Authenticate with the header `Authorization: Token <key>` (the key from
`auth/login/`). Paths end with `/`; a path without it answers 308 to the slashed one. Bodies are
JSON (forms are read too). Lists are paginated (`count`, `next`, `previous`, `results`; `page`,
`page_size` up to 100) except the plan catalogue, `auth/tokens/` and a payment's `logs/`. Any
method a path does not list answers 405 with `Allow`, after authentication and permission. Every
error is a JSON body; an unexpected one is a 500 `{"detail", "request_id"}`."""


def routes(registry: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """(route name, pattern, {method: view}) of every route, from Pyramid's introspector; a view is
    the function `routes.add_resource` was given (with `permission`, `status`, `throttle`)."""
    found = []
    for item in registry.introspector.get_category("routes"):
        route = item["introspectable"]
        views: dict[str, Any] = {}
        for related in item["related"]:
            methods = related.get("request_methods") if related.category_name == "views" else None
            if methods:
                view = related["callable"]
                for method in (methods,) if isinstance(methods, str) else methods:
                    views[method] = getattr(view, "__wrapped__", view)
        found.append((route["name"], route["pattern"], views))
    return found


def openapi_path(pattern: str) -> str:
    return _PLACEHOLDER.sub(r"{\1}", pattern)


def build_description(registry: Any, version: str) -> dict[str, Any]:
    plugin = MarshmallowPlugin()
    spec = APISpec(title="WiWebb API", version=version, openapi_version="3.1.0", plugins=[plugin],
                   info={"description": INTRODUCTION})
    map_field_types(plugin)
    spec.components.security_scheme("Token", {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": "`Token <key>`: the keyword `Token`, a space, and the 40-character key."})
    shapes = [getattr(openapi_shapes, s.__name__) for s in openapi_shapes.SHAPES]
    for shape in shapes:
        spec.components.schema(shape.__name__, schema=shape)
    spec.components.schema("FieldErrors", component={
        "type": "object", "description": "Messages per field (`non_field_errors` for the body as a whole).",
        "additionalProperties": {"type": ["array", "object"]}})
    for status, (name, description) in ERRORS.items():
        body = ({"anyOf": [{"$ref": "#/components/schemas/Detail"}, {"$ref": "#/components/schemas/FieldErrors"}]}
                if status == 400 else {"$ref": f"#/components/schemas/{'ServerError' if status == 500 else 'Detail'}"})
        spec.components.response(name, {"description": description, "headers": _HEADERS.get(status, {}),
                                         "content": {"application/json": {"schema": body}}})
    for name, pattern, views in sorted(routes(registry), key=lambda route: route[1]):
        spec.path(path=openapi_path(pattern), operations={
            method.lower(): _operation(plugin, spec, name, pattern, method, view) for method, view in views.items()})
    description = spec.to_dict()
    _require_every_field(description["components"]["schemas"], {s.__name__ for s in shapes})
    return description


def errors_of(operation: Operation, pattern: str, view: Any) -> set[int]:
    codes = set(operation.errors) | {500}  # anything unexpected
    if view.permission != NO_PERMISSION_REQUIRED:
        codes.add(401)  # a bad token is refused even where no login is needed
    if view.permission in Permission._value2member_map_:
        if any(scope is not Scope.ALL for scope in MATRIX[Permission(view.permission)].values()):
            codes.add(403)
    if "{" in pattern or operation.wrap == PAGE:
        codes.add(404)
    if operation.body is not None:
        codes |= {400, 413, 415}
    if operation.query is not None:
        codes.add(400)
    if view.throttle is not None:
        codes.add(429)
    if not pattern.endswith(("/schema/", "/docs/")):
        codes.add(503)  # every other endpoint reads the database
    return codes


def _operation(plugin: MarshmallowPlugin, spec: APISpec, name: str, pattern: str, method: str,
               view: Any) -> dict[str, Any]:
    operation = OPERATIONS.get((name, method))
    if operation is None:
        raise LookupError(f"route {name} {method} has no entry in openapi_paths.OPERATIONS")
    converter = plugin.converter
    assert converter is not None
    described: dict[str, Any] = {"operationId": f"{name}.{method.lower()}", "summary": operation.summary,
                                 "tags": [operation.tag], "responses": _responses(operation, name, view.status)}
    if operation.description:
        described["description"] = operation.description
    if view.permission == NO_PERMISSION_REQUIRED:
        described["security"] = []
    elif view.permission == PUBLIC:
        described["security"] = [{}, {"Token": []}]
    else:
        described["security"] = [{"Token": []}]
    parameters = [{"name": n, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}
                  for n in _PLACEHOLDER.findall(pattern)]
    if operation.query is not None:
        for parameter in converter.schema2parameters(operation.query, location="query"):
            # An empty filter is no filter (as django-filter): `?since=` lists everything.
            parameter["schema"] = {"anyOf": [parameter["schema"], {"type": "string", "maxLength": 0}]}
            parameters.append(parameter)
    if operation.wrap == PAGE:
        parameters += [
            {"name": "page", "in": "query", "description": "1 by default; `last` for the last page.",
             "schema": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["last"]}],
                        "default": 1}},
            # As DRF: a page size that is not a positive number means the default; over 100, 100.
            {"name": "page_size", "in": "query", "description": "10 by default, at most 100.",
             "schema": {"type": "string", "examples": ["20"]}}]
    if operation.idempotent:
        parameters.append({"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"},
                           "description": "The same key from the same user within 24 hours answers the first "
                                          "answer again and does nothing twice."})
    if name.startswith("webhooks."):
        parameters.append({"name": "Stripe-Signature", "in": "header", "schema": {"type": "string"}})
        described["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
    if parameters:
        described["parameters"] = parameters
    if operation.body is not None:
        body_name = ("Patched" if operation.partial else "") + operation.body.__name__.removesuffix("Schema")
        if body_name not in spec.components.schemas:
            spec.components.schema(body_name, component=_with_rules(
                converter.schema2jsonschema(operation.body(partial=operation.partial)), BODY_RULES.get(body_name)))
        described["requestBody"] = {"required": not operation.partial, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{body_name}"}}}}
    for status in sorted(errors_of(operation, pattern, view)):
        if status == 503 and name == "health":
            continue  # health answers 503 with its own shape (below)
        described["responses"][str(status)] = {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
    return described


def _responses(operation: Operation, name: str, status: int) -> dict[str, Any]:
    if name == "openapi":
        return {"200": {"description": "This description.", "content": {"application/json": {
            "schema": {"type": "object", "required": ["openapi", "info", "paths"]}}}}}
    if name == "openapi.docs":
        return {"200": {"description": "An HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}}}
    if operation.answer is None:
        return {str(status): {"description": "Done; no body."}}
    ref = {"$ref": f"#/components/schemas/{operation.answer}"}
    schema: dict[str, Any] = {
        PAGE: {"type": "object", "required": ["count", "next", "previous", "results"], "properties": {
            "count": {"type": "integer", "minimum": 0},
            "next": {"type": ["string", "null"], "format": "uri"},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "results": {"type": "array", "items": ref}}},
        ARRAY: {"type": "array", "items": ref},
        NULLABLE: {"anyOf": [ref, {"type": "null"}]},
    }.get(operation.wrap, ref)
    answers = {str(status): {"description": operation.summary, "content": {"application/json": {"schema": schema}}}}
    if name == "health":
        answers["503"] = {"description": "The database is unreachable.", "headers": _RETRY_AFTER,
                          "content": {"application/json": {"schema": ref}}}
    return answers


def _with_rules(schema: dict[str, Any], rules: dict[str, Any] | None) -> dict[str, Any]:
    """`schema` with `rules` (openapi_paths.BODY_RULES) added: required names, property keywords, `anyOf`."""
    for key, value in (rules or {}).items():
        if key == "required":
            schema["required"] = sorted({*schema.get("required", []), *value})
        elif key == "properties":
            for name, keywords in value.items():
                schema["properties"][name].update(keywords)
        else:
            schema[key] = value
    return schema


def _require_every_field(schemas: dict[str, Any], shapes: set[str]) -> None:
    """An answer always carries every field of its shape (null where allowed), except the ones
    marked `x-optional`."""
    for name in shapes:
        properties = schemas[name].get("properties", {})
        schemas[name]["required"] = [n for n, p in properties.items() if not p.pop("x-optional", False)]


def description(request: Request) -> dict[str, Any]:
    """The description of this application, built once."""
    registry = request.registry
    built = getattr(registry, "wiwebb_openapi", None)
    if built is None:
        built = registry.wiwebb_openapi = build_description(registry, request.services.version)
    return built
