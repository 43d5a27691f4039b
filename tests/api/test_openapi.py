"""The OpenAPI document: built once per process, and what it declares (the rest: test_api.py's document tests)."""

import json

from paperhub.api.api import api


def test_the_document_is_built_once_and_served_after(client, db):
    """Each request of /api/openapi.json built the whole document again (~50 ms): now the first one builds it."""
    first = client.get("/api/openapi.json")
    built = api.get_openapi_schema()
    second = client.get("/api/openapi.json")
    assert api.get_openapi_schema(path_params={}) is built  # the same object, not one built again
    assert first.status_code == second.status_code == 200 and second.content == first.content
    assert json.loads(second.content)["paths"].keys() == built["paths"].keys()
    elsewhere = api.get_openapi_schema(path_prefix="/v2/")  # another root path is another document
    assert elsewhere is not built and all(path.startswith("/v2/") for path in elsewhere["paths"])
    assert api.get_openapi_schema(path_prefix="/v2/") is elsewhere
