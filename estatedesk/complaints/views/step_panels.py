"""The complaint page's closed steps, written in Python (decision 0067).

A step the page offers but does not show open is a ``<details>`` with its title, its ``<form>``
(action, CSRF token, the hidden fields taken when the page was opened) and a link that fetches
its visible fields when it is opened (decision 0061). Each was an include of
``_action_panel.html`` with a dozen tags, and each hidden field a widget template or two: a
fifth of the page's time for markup that depends on nothing but the step's name, its title,
the complaint's id and those hidden values. Here the same markup is written once per panel,
in two halves around the CSRF token the template still prints (``{% csrf_token %}``, one token
for the whole page as before); ``_action_panel.html`` keeps every other case (the open or
failed step, ``take``, a duplicate's link step with its unlink form). The test
``tests/complaints/test_step_panels.py`` holds the two writings equal.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django import forms
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

if TYPE_CHECKING:
    from estatedesk.complaints.models import Complaint


def hidden_inputs(form: forms.Form) -> SafeString:
    """``{% for field in form.hidden_fields %}{{ field }}{% endfor %}``, as Django's
    ``input.html`` and ``attrs.html`` write a ``HiddenInput``; any other hidden widget is left
    to Django."""
    parts = []
    for bound in form.hidden_fields():
        field = bound.field
        widget = field.widget
        if type(widget) is not forms.HiddenInput or field.show_hidden_initial or field.localize:
            parts.append(str(bound))
            continue
        attrs = bound.build_widget_attrs({}, widget)
        if bound.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", bound.auto_id)
        context = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]
        out = [
            f'<input type="{conditional_escape(context["type"])}" name="{conditional_escape(context["name"])}"'
        ]
        if context["value"] is not None:
            out.append(f' value="{conditional_escape(context["value"])}"')
        for name, value in context["attrs"].items():
            if value is True:
                out.append(f" {conditional_escape(name)}")
            elif value is not False:
                out.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
        out.append(">")
        parts.append("".join(out))
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def closed_panel(
    name: str, label: Any, form: forms.Form | None, complaint: Complaint, detail_url: str, show_form: str
) -> tuple[SafeString, SafeString] | None:
    """A closed step's markup before and after its CSRF token; None for a duplicate's link
    step, whose unlink form the template writes."""
    if name == "link" and complaint.lead_id is not None:
        return None
    url = conditional_escape(detail_url)
    before, after = _action_link(name, get_script_prefix(), get_urlconf())
    action = f"{before}{complaint.pk}{after}"
    head = (
        f'\n\n<details class="action-step border rounded" id="step-{name}" hx-get="{url}?step={name}" '
        f'hx-trigger="toggle once" hx-target="#fields-{name}" hx-swap="innerHTML">\n'
        f'  <summary class="px-3 py-2 fw-semibold">{conditional_escape(label)}</summary>\n'
        '  <div class="px-3 pb-3">\n'
        "    \n"
        f'    <form method="post" action="{action}" novalidate>'
    )
    hidden = hidden_inputs(form) if form is not None else ""
    tail = (
        "\n      \n"
        f"      {hidden}\n"
        f'      <div class="step-fields" id="fields-{name}"><a href="{url}?step={name}#step-{name}">{show_form}</a></div>\n'
        "      \n"
        "    </form>\n"
        "    \n"
        "  </div>\n"
        "</details>\n\n"
    )
    return mark_safe(head), mark_safe(tail)  # noqa: S308 - the step's name is ours, the rest escaped


@lru_cache(maxsize=64)
def _action_link(name: str, script_prefix: str, urlconf: str | None) -> tuple[str, str]:
    """A step's form address around the complaint's id, reversed once per process (and script
    prefix): ``reverse`` cost a tenth of a millisecond a panel."""
    link = conditional_escape(reverse(f"complaints:act_{name}", args=[_ID]))
    cut = link.index(str(_ID))
    return link[:cut], link[cut + len(str(_ID)) :]


_ID = 918_273_645  # stands for the complaint's id: digits no other part of the address has


def show_form_words() -> str:
    return conditional_escape(gettext("Show the form"))
