"""Render Django form fields with NHS.UK frontend classes and ARIA wiring."""

from django import forms, template

register = template.Library()

_CLASSES = [
    (forms.Select, "nhsuk-select"),
    (forms.Textarea, "nhsuk-textarea"),
    (forms.CheckboxInput, "nhsuk-checkboxes__input"),
]


@register.filter
def nhsuk(field: forms.BoundField) -> str:
    widget = field.field.widget
    css = next((c for kind, c in _CLASSES if isinstance(widget, kind)), "nhsuk-input")
    attrs = {"class": css + (f" {css}--error" if field.errors else "")}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_multiple_checkboxes(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple)
