"""The OpenAPI document: built once per process, and what it declares (the rest: test_api.py's document tests)."""

import json
import re

from paperhub.api import openapi
from paperhub.api.api import api
from paperhub.core import tokens
from tests.factories import fresh_window, user


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


def test_every_operation_declares_429_exactly_when_a_rate_limit_counts_it(client, db, settings):
    """Each route but /api/health answers 429 with Retry-After over the API's limit: the document said so for a
    few writes only. Every operation is driven over the limit here, its answer held against what it declares."""
    settings.PAPERHUB_API_RATE_TOKEN = "1/min"
    _, secret = tokens.create_token(user("ann"), "limits")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    document = client.get("/api/openapi.json").json()
    fresh_window()
    assert client.get("/api/papers/2611.00001", **auth).status_code == 404  # the window's one call, spent
    answers = {}
    for path, operations in document["paths"].items():
        url = re.sub(r"\{\w+\}", "1", path)  # a number: it matches every converter, int ones too
        for method, operation in operations.items():
            answer = getattr(client, method)(url, content_type="application/json", **auth)
            answers[method.upper(), path] = (answer.status_code, "429" in operation["responses"])
            if answer.status_code == 429:
                assert int(answer["Retry-After"]) > 0 and set(answer.json()) == {"detail"}, path
    assert {key for key, (status, _) in answers.items() if status != 429} == {("GET", "/api/health"),
                                                                                ("HEAD", "/api/health")}
    assert all((status == 429) == declared for status, declared in answers.values()), answers
    too_many = document["paths"]["/api/search"]["get"]["responses"]["429"]
    assert too_many["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Detail"
    assert document["components"]["schemas"]["Detail"]["required"] == ["detail"]
    assert too_many["headers"]["Retry-After"]["schema"] == {"type": "integer"}


def test_declare_limited_adds_429_to_the_operations_named_only():
    schema = {"paths": {"/a": {"get": {"operationId": "a", "responses": {200: {}}}},
                        "/b": {"get": {"operationId": "b", "responses": {200: {}}},
                               "head": {"operationId": "b_head", "responses": {200: {}}}}}}
    openapi.declare_limited(schema, {"a", "b_head"})
    assert [sorted(operation["responses"]) for path in schema["paths"].values() for operation in path.values()] == [
        [200, 429], [200], [200, 429]]
    assert schema["components"]["schemas"]["Detail"]["properties"]["detail"]["type"] == "string"
    untouched = {"paths": {"/a": {"get": {"operationId": "a", "responses": {}}}}}
    openapi.declare_limited(untouched, set())
    assert "components" not in untouched  # nothing limited: no schema added for nothing
