"""The feeds' answers where there is no feed: short plain text a feed reader can show, not an HTML page."""

import pytest


@pytest.mark.parametrize(("url", "reason"), [
    ("/feeds/authors/nobody-999999.rss", "no such author"),
    ("/feeds/authors/no-number.atom", "no such author"),
    ("/feeds/collections/nobody/reading.rss", "no such public collection"),
    ("/feeds/for-you/not-a-token.atom", "no such feed"),
    ("/feeds/search.rss?cat=", "a search feed needs ?q= or a filter"),
])
def test_feeds_of_unknown_things_answer_a_plain_text_404(client, db, url, reason):
    response = client.get(url)
    assert response.status_code == 404 and response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith(reason) and "<" not in response.content.decode()
