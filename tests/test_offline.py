"""Pages load only our own static files: nothing from another host, enforced by CSP too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

URL_ATTR = re.compile(r"""(?:src|href|action)\s*=\s*["']([^"']+)["']""", re.I)


def _external(urls):
    return [u for u in urls if re.match(r"^(https?:)?//", u)]


@pytest.mark.req("A-1")
@pytest.mark.parametrize(
    "url_name",
    ["login", "home", "org:unit_list", "org:customer_list", "org:estate_list", "profile", "api:openapi-view"],
)
def test_pages_reference_only_our_own_files(world, url_name):
    client = world.client("anonymous" if url_name == "login" else "admin")
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    urls = URL_ATTR.findall(html)
    assert urls, "page has no links at all?"
    assert _external(urls) == []
    for url in urls:
        if url.startswith(settings.STATIC_URL):
            assert finders.find(url[len(settings.STATIC_URL) :].split("?")[0]), f"missing static file {url}"


@pytest.mark.req("A-1")
def test_content_security_policy_forbids_other_hosts(world):
    response = world.client("admin").get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp


@pytest.mark.req("A-1")
def test_vendored_css_loads_nothing_remote():
    root = Path(settings.BASE_DIR) / "static" / "vendor"
    for css in root.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        remote = [u for u in re.findall(r"url\(([^)]+)\)", text) if re.match(r"""^["']?(https?:)?//""", u)]
        assert remote == [], css
        assert "@import" not in text, css
