"""The MCP server driven by the SDK's own client, over streamable HTTP (the hub's /mcp) and stdio (`paperhub mcp`)."""

import asyncio
import os
import re
import sys
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from paperhub.community import curation
from paperhub.community.models import CollectionItem, Upvote
from paperhub.core import tokens
from paperhub.core.addresses import LOCAL
from paperhub.core.models import RateWindow
from paperhub.papers import feeds
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.recommend import space
from tests.conftest import own_database_url
from tests.factories import feed_entry, record, user

TOOLS = {
    "search_papers",
    "get_paper",
    "similar_papers",
    "period_papers",
    "trending_papers",
    "my_picks",
    "add_to_collection",
    "remove_from_collection",
    "list_collections",
    "create_collection",
    "upvote",
}


@pytest.fixture
def filled(transactional_db, search_dir, settings):
    """Two papers in a day's feed, searchable; ann with a collection and an API token."""
    from paperhub import search

    settings.PAPERHUB_TRENDING_DAYS = 100_000  # the feed day stays in the window whenever this runs
    when = datetime(2026, 11, 22, 10, tzinfo=UTC)
    upsert_papers(
        [
            record(
                "2611.00001",
                title="Sparse attention for long documents",
                published=when,
                abstract="We study sparse attention over long documents.",
                authors=("Ada Lovelace", "Alan Turing"),
            ),
            record(
                "2611.00002",
                title="Dense retrieval for claims",
                published=when,
                abstract="Claims need evidence. We propose dense retrieval of sparse attention evidence.",
                authors=("Grace Hopper",),
            ),
            record(  # an old-style arXiv id, with a slash: the paper:// resource must reach it too
                "hep-th/9901001",
                title="Strings on orbifolds",
                published=datetime(1999, 1, 4, tzinfo=UTC),
                abstract="Orbifold compactifications of heterotic strings.",
                authors=("Edward Witten",),
            ),
        ]
    )
    papers = {p.uid: p for p in Paper.objects.all()}
    feed_entry(papers["2611.00001"], date(2026, 11, 23), "hf", external_upvotes=2)
    feed_entry(papers["2611.00002"], date(2026, 11, 23), "hf", external_upvotes=4)
    ann = user("ann")
    collection = curation.create_collection(ann, "Reading group")
    _, secret = tokens.create_token(ann, "assistant")
    search.update()
    search.update_keywords()
    return {"papers": papers, "ann": ann, "collection": collection, "token": secret, "search_dir": search_dir}


def _http(url: str, token: str = "") -> AbstractAsyncContextManager[Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return streamable_http_client(url + "/mcp", http_client=httpx2.AsyncClient(headers=headers, timeout=60))


def _stdio(filled: dict[str, Any], token: str = "") -> StdioServerParameters:
    """`paperhub mcp` on the test's own database and search indexes."""
    env = {
        **os.environ,
        "DATABASE_URL": own_database_url(),
        "PAPERHUB_SEARCH_DIR": str(filled["search_dir"]),
        "PAPERHUB_MCP_TOKEN": token,
        "PAPERHUB_TRENDING_DAYS": "100000",
        "PAPERHUB_SCHEDULE": "",
    }
    return StdioServerParameters(command=sys.executable, args=["-m", "paperhub.cli", "mcp"], env=env)


async def _call(client: Client, tool: str, **arguments: Any) -> Any:
    """A tool's structured answer; a tool error fails the test with its text."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    return result.structured_content


async def _refusal(client: Client, tool: str, **arguments: Any) -> str:
    """The text of a tool's error (the call must fail)."""
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result.structured_content
    return " ".join(part.text for part in result.content if hasattr(part, "text"))


async def _reads(client: Client, base_url: str) -> None:
    """Every read tool and the paper resource, anonymously, with links back to the hub."""
    assert {t.name for t in (await client.list_tools()).tools} >= TOOLS
    found = await _call(client, "search_papers", query="sparse attention", limit=5)
    assert found["papers"][0]["id"] == "2611.00001" and found["total"] == 2
    assert found["papers"][0]["url"] == f"{base_url}/papers/2611.00001"
    assert found["url"].startswith(f"{base_url}/papers/search?q=sparse")
    filtered = await _call(client, "search_papers", query="sparse", authors="Ada Lovelace", sort="newest")
    assert [p["id"] for p in filtered["papers"]] == ["2611.00001"]
    address, _, asked = filtered["url"].partition("?")  # as asked
    assert address == f"{base_url}/papers/search"
    assert parse_qs(asked) == {"q": ["sparse"], "author": ["Ada Lovelace"], "sort": ["newest"]}
    emptied = await _call(client, "search_papers", query="sparse cat:cs.XX")  # why it found nothing, and the rest
    assert emptied["total"] == 0 and emptied["emptied_by"][0].startswith(
        f"No papers in cs.XX on this hub (cs.XX: not an arXiv category); 2 without it: {base_url}/papers/search?q=sparse")
    paper = await _call(client, "get_paper", paper_id="2611.00001")
    assert paper["authors"] == ["Ada Lovelace", "Alan Turing"] and "long documents" in paper["abstract"]
    assert paper["arxiv_url"] == "https://arxiv.org/abs/2611.00001"
    similar = await _call(client, "similar_papers", paper_id="2611.00001")
    assert [p["id"] for p in similar["papers"]] == ["2611.00002"]
    # a paper by its address, as the search box takes it, and named by its id
    assert (await _call(client, "get_paper", paper_id="https://arxiv.org/abs/2611.00001v2"))["id"] == "2611.00001"
    similar = await _call(client, "similar_papers", paper_id="https://huggingface.co/papers/2611.00001")
    assert similar["paper"] == "2611.00001" and [p["id"] for p in similar["papers"]] == ["2611.00002"]
    for kind, period in (("day", "2026-11-23"), ("week", "2026-W48"), ("month", "2026-11"), ("day", "")):
        listed = await _call(client, "period_papers", kind=kind, period=period)
        assert [p["id"] for p in listed["papers"]] == ["2611.00002", "2611.00001"], (kind, period)
    assert (await _call(client, "period_papers", kind="week"))["url"] == f"{base_url}/papers/week/2026-W48"
    # no kind: the period is the kind it is written as (the tool's own description offers 2026-W48)
    assert [(await _call(client, "period_papers", period=p))["period"] for p in ("2026-W48", "2026-11")] == [
        "2026-W48", "2026-11"]
    trending = await _call(client, "trending_papers")
    assert [p["id"] for p in trending["papers"]] == ["2611.00002", "2611.00001"]
    [prompt] = (await client.list_prompts()).prompts
    assert prompt.name == "whats_new" and [(a.name, a.required) for a in prompt.arguments or []] == [("topic", True)]
    text = (await client.get_prompt("whats_new", {"topic": "sparse attention"})).messages[0].content.text
    named = set(re.findall(r"\b([a-z]+_[a-z_]+)\b", text))  # the tools it tells the model to call all exist
    assert named == {"search_papers", "trending_papers", "get_paper"} and "'sparse attention'" in text
    assert f"since='{feeds.today() - timedelta(days=7)}'" in text
    shelves = await _call(client, "list_collections", user="ann")  # public ones only, named as ann's
    assert [(c["slug"], c["papers"], c["url"]) for c in shelves["collections"]] == [
        ("ann/reading-group", 0, f"{base_url}/collections/ann/reading-group")]
    assert shelves["url"] == f"{base_url}/users/ann"
    resource = await client.read_resource("paper://2611.00002")
    assert "Dense retrieval for claims" in resource.contents[0].text
    old_style = await client.read_resource("paper://hep-th/9901001")
    assert "Strings on orbifolds" in old_style.contents[0].text
    for tool, arguments in (
        ("my_picks", {}),
        ("upvote", {"paper_id": "2611.00001"}),
        ("add_to_collection", {"paper_id": "2611.00001", "collection": "reading-group"}),
        ("remove_from_collection", {"paper_id": "2611.00001", "collection": "reading-group"}),
        ("list_collections", {}),
        ("create_collection", {"title": "Anyone's"}),
    ):
        assert "needs an API token" in await _refusal(client, tool, **arguments)


def test_http_every_tool_anonymous_reads_and_token_writes(live_server, filled, settings):
    settings.PAPERHUB_BASE_URL = ""  # links under the address called

    async def scenario() -> None:
        async with Client(_http(live_server.url)) as anonymous:
            await _reads(anonymous, live_server.url)
        async with Client(_http(live_server.url, filled["token"])) as ann:
            voted = await _call(ann, "upvote", paper_id="2611.00001")
            assert voted == {
                "paper": "2611.00001",
                "upvoted": True,
                "upvotes": 1,
                "url": f"{live_server.url}/papers/2611.00001",
            }
            assert (await _call(ann, "upvote", paper_id="2611.00001"))["upvotes"] == 1  # idempotent
            added = await _call(ann, "add_to_collection", paper_id="2611.00002", collection="reading-group")
            assert added["added"] and added["url"] == f"{live_server.url}/collections/ann/reading-group"
            # no recommendation space yet: the tool says so at once and queues its build (here run by hand)
            assert space.PREPARING in await _refusal(ann, "my_picks")
            assert (await asyncio.to_thread(space.build_space.call))["built"]
            picks = await _call(ann, "my_picks")
            assert picks["url"] == f"{live_server.url}/for-you"
            assert "no collection" in await _refusal(
                ann, "add_to_collection", paper_id="2611.00002", collection="someone-elses"
            )
            mine = await _call(ann, "list_collections")
            assert mine["user"] == "ann" and [(c["slug"], c["papers"], c["public"]) for c in mine["collections"]] == [
                ("reading-group", 1, True), ("lab", 0, False), ("bob/lab", 0, False), ("hidden", 0, False)]
            # the latest changed first, private ones and those shared with her too; bob's named as his
            assert [c["slug"] for c in (await _call(ann, "list_collections", user="ann"))["collections"]] == [
                "reading-group", "lab", "hidden"]
            assert [c["slug"] for c in (await _call(ann, "list_collections", user="bob"))["collections"]] == [
                "bob/lab", "bob/bobs"]  # never a bare "lab", which would be hers
            assert "collection: String should match pattern" in await _refusal(
                ann, "add_to_collection", paper_id="2611.00001", collection="lab\x00")
            for removed in (True, False):  # idempotent: a second call finds nothing to take out
                taken = await _call(ann, "remove_from_collection", paper_id="2611.00002", collection="reading-group")
                assert taken == {"collection": "reading-group", "paper": "2611.00002", "removed": removed,
                                 "url": f"{live_server.url}/collections/ann/reading-group"}
            assert "you have no collection 'bobs'" in await _refusal(
                ann, "remove_from_collection", paper_id="2611.00002", collection="bobs")
            assert "not been submitted here yet" in await _refusal(
                ann, "remove_from_collection", paper_id="2611.09999", collection="reading-group")
            assert "user: String should match pattern" in await _refusal(ann, "list_collections", user="a/b")
            shared = await _call(ann, "add_to_collection", paper_id="2611.00001", collection="bob/lab")  # bob's
            assert shared["added"] and shared["url"] == f"{live_server.url}/collections/bob/lab"
            assert "you have no collection 'bob/bobs'" in await _refusal(  # bob's, not shared with ann
                ann, "add_to_collection", paper_id="2611.00001", collection="bob/bobs")
            # there was no way to make a collection but the page; a second call with its title answers it
            made = await _call(ann, "create_collection", title=" From an\x00 assistant\x1b ", public=False)
            assert made == {"collection": "from-an-assistant", "title": "From an assistant", "public": False,
                            "created": True, "url": f"{live_server.url}/collections/ann/from-an-assistant"}
            again = await _call(ann, "create_collection", title="From an assistant", description="other")
            assert again == {**made, "created": False}
            assert (await _call(ann, "add_to_collection", paper_id="2611.00001", collection=made["collection"]))["added"]
            assert "title: String should have at most 200 characters" in await _refusal(
                ann, "create_collection", title="x" * 10_000)
            assert "A collection needs a title." in await _refusal(ann, "create_collection", title="\x00 \x07")

    hidden = curation.create_collection(filled["ann"], "Hidden", public=False)
    bob = user("bob")
    curation.create_collection(bob, "Bobs")
    lab = curation.create_collection(bob, "Lab", public=False)
    curation.add_collaborator(bob, lab, "ann")
    own_lab = curation.create_collection(filled["ann"], "Lab", public=False)
    asyncio.run(scenario())
    assert not own_lab.papers.exists()
    assert [p.uid for p in lab.papers.all()] == ["2611.00001"]
    assert Upvote.objects.filter(user=filled["ann"]).count() == 1
    assert not CollectionItem.objects.filter(collection=filled["collection"]).exists()
    assert hidden.slug == "hidden"


def test_stdio_every_read_and_the_token_from_the_environment(filled, settings):
    async def scenario() -> None:
        async with Client(_stdio(filled)) as anonymous:
            await _reads(anonymous, LOCAL)  # no request, no PAPERHUB_BASE_URL: `make run`'s address
        async with Client(_stdio(filled, filled["token"])) as ann:
            assert (await _call(ann, "upvote", paper_id="2611.00002"))["upvoted"] is True
        async with Client(_stdio(filled, "ph_not-a-real-token")) as stranger:
            assert "not valid" in await _refusal(stranger, "get_paper", paper_id="2611.00002")

    asyncio.run(scenario())
    assert Upvote.objects.filter(user=filled["ann"], paper__uid="2611.00002").exists()


def test_hostile_arguments_get_clear_errors(live_server, filled, settings):
    async def scenario() -> None:
        async with Client(_http(live_server.url)) as client:
            assert "500" in await _refusal(client, "search_papers", query="a" * 100_000)
            assert "no paper" in await _refusal(client, "get_paper", paper_id="../../etc/passwd")
            # an empty list and a link to a 404 page before
            assert (await _refusal(client, "list_collections", user="nosuch")).endswith(": no user 'nosuch'")
            assert "not been submitted here yet" in await _refusal(client, "get_paper", paper_id="2611.09999")
            assert "200" in await _refusal(client, "similar_papers", paper_id="x" * 201)
            assert "not a week" in await _refusal(client, "period_papers", kind="week", period="2026-W99")
            # it answered Monday 22 June as a day, total 0: date.fromisoformat reads ISO week dates
            assert "(a day is written YYYY-MM-DD, as 2026-06-30; 2026-W26 is a week)" in await _refusal(
                client, "period_papers", kind="day", period="2026-W26")
            assert "not a day, week or month" in await _refusal(client, "period_papers", period="20260630")
            too_many = await _refusal(client, "trending_papers", limit=10**9)
            assert too_many == "invalid arguments for trending_papers: limit: Input should be less than or equal to 50"
            several = await _refusal(client, "search_papers", query=5, since="nope", limit="x")
            assert several.startswith("invalid arguments for search_papers: query: Input should be a valid string; ")
            assert "pydantic" not in several and "input_value" not in several and "\n" not in several
            assert "must be a date" in await _refusal(client, "search_papers", query="graphs since:2026-13-40")
            for topic in ({"topic": "x" * 201}, {"topic": " "}, {"topic": ""}):
                with pytest.raises(MCPError, match="topic must be 1 to 200 characters"):
                    await client.get_prompt("whats_new", topic)
            with pytest.raises(MCPError) as missing:  # none at all was an internal error
                await client.get_prompt("whats_new", {})
            assert (missing.value.error.code, str(missing.value)) == (
                INVALID_PARAMS, "invalid arguments for whats_new: topic: Field required")
        async with Client(_http(live_server.url, "ph_forged")) as forged:
            assert "not valid" in await _refusal(forged, "upvote", paper_id="2611.00001")

    async def flood() -> None:
        async with Client(_http(live_server.url)) as client:
            results = [await client.call_tool("get_paper", {"paper_id": "2611.00001"}) for _ in range(3)]
            assert [r.is_error for r in results] == [False, False, True]
            assert "rate limit" in results[2].content[0].text  # type: ignore[union-attr]

    asyncio.run(scenario())
    assert not Upvote.objects.exists()
    RateWindow.objects.all().delete()  # a window of its own for the limit below
    settings.PAPERHUB_API_RATE_ANON = "2/day"  # a window no test run straddles
    asyncio.run(flood())


def test_a_body_over_the_cap_is_refused_before_the_server_reads_it(live_server, filled, settings):
    settings.PAPERHUB_MAX_BODY = 10_000
    response = httpx2.post(
        live_server.url + "/mcp",
        content=b"{" + b" " * 20_000 + b"}",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == -32600  # JSON-RPC, as its others


def test_only_posts_reach_the_transport(live_server):
    """A GET would open an event stream that stateless JSON mode never ends, holding a worker thread for good."""
    for method in ("GET", "DELETE", "PUT"):
        response = httpx2.request(method, live_server.url + "/mcp", timeout=10,
                                  headers={"Accept": "application/json, text/event-stream"})
        assert response.status_code == 405, method
        assert response.headers["Allow"] == "POST"
        assert response.json()["error"]["code"] == -32600


@pytest.mark.parametrize(("base", "root"), [("", "https://papers.example.org"),
                                             ("https://papers.example.org", "https://papers.example.org")])
def test_http_links_start_with_the_hubs_public_root_and_no_client_can_choose_it(client, transactional_db, settings, base,
                                                                               root):
    """Links said http://127.0.0.1:8000 (the old default base URL) behind a proxy; a client's own X-Paperhub-Root
    header is replaced by the view's."""
    settings.PAPERHUB_BASE_URL = base
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["papers.example.org", "127.0.0.1"]
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "trending_papers", "arguments": {}}}
    host = "papers.example.org" if not base else "127.0.0.1"  # set, it wins over the inner Host nginx passes on
    response = client.post("/mcp", call, content_type="application/json", HTTP_ACCEPT="application/json",
                           HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https", HTTP_X_PAPERHUB_ROOT="https://evil.example")
    assert response.json()["result"]["structuredContent"]["url"] == f"{root}/papers/trending"


def test_bearer_reads_only_bearer_headers():
    assert tokens.bearer("Bearer ph_abc ") == "ph_abc" and tokens.bearer("bearer ph_abc") == "ph_abc"
    assert tokens.bearer("Basic dXNlcg==") == "" and tokens.bearer("") == ""
