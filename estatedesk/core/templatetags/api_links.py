"""``{% api_docs_url %}``: the API's documentation page, for the menu of every staff page.

Not ``{% url 'api:openapi-view' %}``: reversing a name of the API imports the API and builds its
schemas (decision 0063); the menu only needs the address.
"""

from __future__ import annotations

from django import template

from estatedesk.core.lazy_urls import address_in

register = template.Library()

DOCS = "docs"  # NinjaAPI's docs_url ("/docs"), under the API's prefix; a test compares with reverse()


@register.simple_tag
def api_docs_url() -> str:
    return address_in("api", DOCS)
