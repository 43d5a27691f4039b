"""The Zotero client's pure parts: where the next page starts, the library version an answer reports."""

from email.message import Message

import pytest

from paperhub.ingest.http import Answer, SourceError
from paperhub.ingest.zotero import library_version, next_page


def answer(**headers: str) -> Answer:
    message = Message()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return Answer(200, message, b"[]")


def test_next_page_follows_link_then_total_results():
    link = (
        '<https://api.zotero.org/users/1/items?format=json&limit=100&start=200>; rel="next", '
        '<https://api.zotero.org/users/1/items?format=json&limit=100&start=300>; rel="last"'
    )
    assert next_page(answer(Link=link, Total_Results="350"), 100) == 200
    assert next_page(answer(Link='<https://www.zotero.org/u/items>; rel="alternate"', Total_Results="250"), 100) == 200
    assert next_page(answer(Total_Results="250"), 200) is None
    assert next_page(answer(Total_Results="100"), 0) is None
    assert next_page(answer(), 0) is None


def test_library_version_is_required():
    assert library_version(answer(Last_Modified_Version="1450")) == 1450
    with pytest.raises(SourceError, match="Last-Modified-Version"):
        library_version(answer())
