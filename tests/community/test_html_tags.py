"""Which angle brackets of a person's text are HTML tags."""

import pytest

from paperhub.community.html_tags import without_html_tags


@pytest.mark.parametrize(("typed", "kept"), [
    ("Mamba & <b>SOD</b>", "Mamba & SOD"), ('<IMG src=x onerror="alert(1)">x', "x"), ("<script>a</script>", "a"),
    ("Vec<T> in Rust", "Vec<T> in Rust"), ("Attention <T> scaling", "Attention <T> scaling"),
    ("x<y and y>z", "x<y and y>z"), ("<T extends X>", "<T extends X>"), ("read <https://a.org/x>", "read <https://a.org/x>"),
])
def test_only_html_elements_are_tags(typed, kept):
    assert without_html_tags(typed) == kept
