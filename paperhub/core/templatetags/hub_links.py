"""`{% hub_url root 'name' arg %}`: the absolute address of a route under a root hub_root() gave (in mail, where a
link must be whole), right under a hub served at a path (core.addresses.link)."""

from django import template

from paperhub.core.addresses import link

register = template.Library()


@register.simple_tag
def hub_url(root: str, name: str, *args: object) -> str:
    """core.addresses.link() in a template."""
    return link(root, name, *args)
