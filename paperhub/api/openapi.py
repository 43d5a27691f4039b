"""What the OpenAPI document says that ninja leaves out: the 422 (`Invalid`) that any operation with parameters or
a body answers when they do not validate (api.invalid writes it), declared once for all of them."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from paperhub.api.schemas import Invalid

#: The security of a read that a token changes (your private collections too): with one or without. /api/docs'
#: Authorize sends the token only to operations whose security names it.
OPTIONAL_TOKEN: dict[str, Any] = {"security": [{"TokenAuth": []}, {}]}
INVALID_RESPONSE = {"description": "The parameters or body did not validate: each field, where and why",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Invalid"}}}}


def declare_invalid(schema: dict[str, Any]) -> None:
    """Add the 422 answer, and its schema, to every operation of an OpenAPI document that takes parameters or a
    body (one that takes neither cannot answer it)."""
    operations = [operation for path in schema.get("paths", {}).values() for operation in path.values()
                  if operation.get("parameters") or operation.get("requestBody")]
    if not operations:
        return
    invalid = Invalid.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(invalid.pop("$defs", {}), Invalid=invalid)
    for operation in operations:
        operation["responses"][422] = INVALID_RESPONSE


class HubAPI(NinjaAPI):
    """NinjaAPI, its OpenAPI document with the 422 declared (declare_invalid)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_invalid(schema)
        return schema
