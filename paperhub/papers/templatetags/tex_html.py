"""Stored titles' LaTeX rendered in templates as paper titles are (a collection's title): `{{ title|tex }}`."""

from django import template
from django.utils.safestring import SafeString

from paperhub.papers.tex import render_tex

register = template.Library()


@register.filter
def tex(text: str) -> SafeString:
    """A title's $...$ math and text-mode LaTeX as HTML, everything else escaped (render_tex); for HTML only, never a
    <title>, an attribute or an <option>, which take the text as it is."""
    return render_tex(text or "")
