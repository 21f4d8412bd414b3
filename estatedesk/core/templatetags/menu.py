"""The main menu of every staff page, rendered once per language, role and script prefix.

The menu (``templates/core/_main_menu.html``) is about fifty ``{% url %}`` and sixty
``{% translate %}`` tags whose answer depends only on the language, the user's role, whether they
see everything or administer the company, and the prefix the site is served under; rendering it
on every request was about a tenth of a 50-row list page's time (decision 0060). The process keeps
each variant's markup: at most three languages times a handful of roles.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

MENU_TEMPLATE = "core/_main_menu.html"
_rendered: dict[tuple[Any, ...], SafeString] = {}


@register.simple_tag(takes_context=True)
def main_menu(context: template.Context) -> SafeString:
    role, sees_all, is_admin = (context.get(k) for k in ("current_role", "sees_all", "is_company_admin"))
    key = (get_language(), get_script_prefix(), role, bool(sees_all), bool(is_admin))
    menu = _rendered.get(key)
    if menu is None:
        values = {"current_role": role, "sees_all": sees_all, "is_company_admin": is_admin}
        menu = _rendered[key] = mark_safe(render_to_string(MENU_TEMPLATE, values))  # noqa: S308 - our template's output
    return menu


def forget(**_kwargs: Any) -> None:
    """A changed setting (tests: URLconf, languages, templates) may change every menu."""
    _rendered.clear()


setting_changed.connect(forget, dispatch_uid="estatedesk.core.menu.forget")
