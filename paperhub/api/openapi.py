"""What the OpenAPI document says that ninja leaves out: the 422 (`Invalid`) that any operation with a body or a
parameter that can fail answers when they do not validate (api.invalid writes it), and the 429 (`Detail`, with
Retry-After) that any operation a rate limit counts answers over it, each declared once for all of them; and an
operationId of its own for each method of an operation that serves several. HubAPI builds it once per process."""

import re
from collections.abc import Collection, Iterable
from typing import Any

from django.urls import URLPattern, URLResolver
from django.urls.converters import IntConverter
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from paperhub.api.schemas import Detail, Invalid

#: The security of a read that a token changes (your private collections too): with one or without. /api/docs'
#: Authorize sends the token only to operations whose security names it.
OPTIONAL_TOKEN: dict[str, Any] = {"security": [{"TokenAuth": []}, {}]}
INVALID_RESPONSE = {"description": "The parameters or body did not validate: each field, where and why",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Invalid"}}}}
TOO_MANY_RESPONSE = {
    "description": "Over the API's rate limit (per token, else per address; some writes count against their own "
                   "too): try again after the seconds Retry-After says",
    "headers": {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}}


def refusable(parameter: dict[str, Any], digits: Collection[str] = ()) -> bool:
    """Whether a parameter can fail validation: any but a path's string with no constraint (a path is there, and
    any text in it is a string) or a path's number read by Django's int converter (named in digits: the route
    matches only digits, anything else is a 404)."""
    if parameter.get("in") != "path":
        return True
    schema = parameter.get("schema", {})
    unconstrained = schema.get("type") == "string" and set(schema) <= {"type", "title", "description"}
    return not (unconstrained or parameter.get("name") in digits)


def digit_parameters(patterns: Iterable[URLPattern | URLResolver], root: str) -> dict[str, set[str]]:
    """The path parameters Django's int converter reads, by the OpenAPI path of their route under root (ninja
    writes `{int:id}` as `{id}` there, the converter gone)."""
    found: dict[str, set[str]] = {}
    for pattern in patterns:
        if isinstance(pattern, URLPattern):  # the API's routes are flat: no URLResolver among them
            path = re.sub(r"/+", "/", "/" + root + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern)))
            found[path] = {name for name, converter in pattern.pattern.converters.items()
                           if isinstance(converter, IntConverter)}
    return found


def declare_invalid(schema: dict[str, Any], digits: dict[str, set[str]] | None = None) -> None:
    """Add the 422 answer, and its schema, to every operation of an OpenAPI document that takes a body or a
    parameter that can fail validation (one that takes neither cannot answer it: GET /api/papers/{paper_id});
    digits: the path parameters Django's int converter reads, by path (digit_parameters)."""
    operations = [operation for route, path in schema.get("paths", {}).items() for operation in path.values()
                  if operation.get("requestBody") or any(refusable(parameter, (digits or {}).get(route, ()))
                                                          for parameter in operation.get("parameters", []))]
    declare_response(schema, operations, 422, INVALID_RESPONSE, Invalid)


def declare_limited(schema: dict[str, Any], limited: Collection[str]) -> None:
    """Add the 429 answer, and its schema, to every operation of an OpenAPI document whose operationId is in limited
    (those a throttle counts: all but /api/health's)."""
    operations = [operation for path in schema.get("paths", {}).values() for operation in path.values()
                  if operation["operationId"] in limited]
    declare_response(schema, operations, 429, TOO_MANY_RESPONSE, Detail)


def declare_response(schema: dict[str, Any], operations: list[dict[str, Any]], status: int, response: dict[str, Any],
                     model: type[BaseModel]) -> None:
    """Add the response under status to each of operations, and model's schema to the document's components."""
    if not operations:
        return
    found = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(found.pop("$defs", {}), **{model.__name__: found})
    for operation in operations:
        operation["responses"][status] = response


def distinct_operation_ids(schema: dict[str, Any]) -> None:
    """An operationId for each method of an operation that serves several (GET and HEAD /api/health, PUT and POST
    /api/zotero): ninja writes the one operation under each method, so its id twice; the later methods' get theirs
    suffixed (paperhub_api_api_health_head)."""
    seen: set[str] = set()
    for path in schema.get("paths", {}).values():
        for method, operation in list(path.items()):
            if operation["operationId"] in seen:
                path[method] = operation = {**operation, "operationId": f"{operation['operationId']}_{method}"}
            seen.add(operation["operationId"])


class HubAPI(NinjaAPI):
    """NinjaAPI, its OpenAPI document built once per root path, with the 422 and 429 declared (declare_invalid,
    declare_limited) and its operationIds distinct."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The finished documents by the root path they were built under: the routes do not change once the URL
        #: conf is loaded, and building one (ninja's walk of every route, then self.urls' every pattern) took ~50 ms.
        self._documents: dict[str, OpenAPISchema] = {}

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        """The OpenAPI document under path_prefix (else the API's root), built at the first call and the same
        object after: ninja's view and export_openapi_schema only serialize it, and no caller may change it."""
        if path_prefix is None:  # as ninja's: the API's root (path_params name nothing else in the document)
            path_prefix = self.get_root_path(path_params or {})
        document = self._documents.get(path_prefix)
        if document is None:  # two threads may both build it: each stores a finished one, never half of one
            document = self._documents.setdefault(path_prefix, self._build_document(path_prefix))
        return document

    def _build_document(self, path_prefix: str) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        declare_invalid(schema, digit_parameters(self.urls[0], path_prefix))
        declare_limited(schema, self.limited_operations())
        distinct_operation_ids(schema)  # after: the operationIds are ninja's until then
        return schema

    def limited_operations(self) -> set[str]:
        """The operationIds of the operations a throttle counts (ninja gives each the API's unless it sets its own,
        as /api/health's none)."""
        # the routers as bound to this API, as ninja's own document reads them: their operations carry the
        # throttles they run
        return {operation.operation_id or self.get_openapi_operation_id(operation)
                for bound in self._get_bound_routers() for view in bound.path_operations.values()
                for operation in view.operations if operation.throttle_objects}
