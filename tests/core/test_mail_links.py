"""Links that name an address: old ones hold the address, new ones its keyed digest, read through a key rotation."""

from paperhub.core import mail

PURPOSE = "paperhub.tests.link"


def test_a_link_names_the_address_it_was_made_for_in_either_form(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "first-key", []
    new = {"id": 1, "a": mail.address_digest("ann@example.org", PURPOSE)}
    old = {"id": 1, "email": "ann@example.org"}
    for data in (new, old):
        assert mail.link_names(data, "ann@example.org", PURPOSE)
        assert not mail.link_names(data, "bob@example.org", PURPOSE)
    assert not mail.link_names(new, "ann@example.org", "another purpose")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key", ["first-key"]
    assert mail.link_names(new, "ann@example.org", PURPOSE)  # a key being rotated out still reads it
    settings.SECRET_KEY_FALLBACKS = []
    assert not mail.link_names(new, "ann@example.org", PURPOSE)


def test_no_link_names_an_empty_address():
    assert not mail.link_names({"email": ""}, "", PURPOSE)
    assert not mail.link_names({"a": mail.address_digest("", PURPOSE)}, "", PURPOSE)
    assert not mail.link_names({}, "ann@example.org", PURPOSE)
