"""HTML tags typed in a person's text (a collection's title, a description's plain text): told apart from other
angle brackets, "Vec<T>" or "x<y", which are words."""

import re

#: Something in angle brackets that reads as a tag ("<b>", "</sub>", '<a href="x">', "<T>"), its name in group 1.
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")
#: HTML's element names (obsolete ones too, as browsers still read them): only these make a tag of a <...>.
_ELEMENT_NAMES = """a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound
    big blink blockquote body br button canvas caption center cite code col colgroup data datalist dd del details dfn
    dialog dir div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head
    header hgroup hr html i iframe image img input ins isindex kbd keygen label legend li link listing main map mark
    marquee math menu menuitem meta meter multicol nav nextid nobr noembed noframes noscript object ol optgroup option
    output p param picture plaintext portal pre progress q rb rp rt rtc ruby s samp script search section select
    slot small source spacer span strike strong style sub summary sup svg table tbody td template textarea tfoot th
    thead time title tr track tt u ul var video wbr xmp"""
HTML_ELEMENTS = frozenset(_ELEMENT_NAMES.split())


def without_html_tags(text: str) -> str:
    """The text without its HTML tags ("Mamba & <b>SOD</b>" is "Mamba & SOD"); other <...> kept as typed ("Vec<T>")."""
    return _TAG.sub(lambda tag: "" if tag.group(1).lower() in HTML_ELEMENTS else tag.group(0), text)
