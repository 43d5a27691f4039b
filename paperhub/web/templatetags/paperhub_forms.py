"""A refused form's fields tied to what was wrong (WCAG 3.3.1): each wrong field marked invalid, described by its
errors, and the first of them focused when the page comes back."""

from django import template
from django.forms import BaseForm, BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

FORM_ERRORS = "form-errors"  # the id of a form's own errors (not one field's): "a correct username and password"


@register.simple_tag
def form_errors(form: BaseForm) -> SafeString:
    """The form's own errors, as a list the fields name in their aria-describedby (nothing when there are none)."""
    errors = form.non_field_errors()
    if not errors:
        return SafeString("")
    items = format_html_join("", "<li>{}</li>", ((error,) for error in errors))
    return format_html('<ul class="errorlist nonfield" id="{}">{}</ul>', FORM_ERRORS, items)


@register.filter
def tied(field: BoundField) -> SafeString:
    """The field's widget; in a refused form marked aria-invalid and described by its own errors (Django ties those)
    and the form's own (which concern every field), and autofocused if it is the first wrong field, else not."""
    form = field.form
    if not form.is_bound or not form.errors:
        return field.as_widget()
    whole = bool(form.non_field_errors())
    wrong = [bound.name for bound in form.visible_fields() if bound.errors or whole]
    attrs: dict[str, str | bool] = {"autofocus": bool(wrong) and wrong[0] == field.name}
    if whole:
        attrs["aria-invalid"] = "true"
        # Django's own ids (help text, the field's errors), or the ids a widget was given, which Django leaves as
        # they are (and its property then reports none): kept, the form's errors after them.
        own = field.field.widget.attrs.get("aria-describedby") or field.aria_describedby
        attrs["aria-describedby"] = " ".join(part for part in (own, FORM_ERRORS) if part)
    return field.as_widget(attrs=attrs)
