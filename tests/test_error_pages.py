"""Error pages come in the site's layout and the visitor's language, never as Django's bare
English pages (SPEC P-3); under /api/ they keep the API's JSON error format."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation

from estatedesk import urls as site_urls
from estatedesk.core import error_pages, policy


def _boom(request):
    raise RuntimeError("a bug")


def _forbidden(request):
    raise PermissionDenied("not for you")


urlpatterns = [
    path("boom/", _boom, name="test_boom"),
    path("forbidden/", _forbidden, name="test_forbidden"),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


@pytest.fixture(autouse=True)
def _test_views_have_rules(monkeypatch):
    monkeypatch.setitem(policy.URL_RULES, "test_boom", policy.Rule.PUBLIC)
    monkeypatch.setitem(policy.URL_RULES, "test_forbidden", policy.Rule.PUBLIC)


CASES = [
    ("/no-such-page/", 404, {"zh-hans": "页面不存在", "zh-hant": "頁面不存在", "en": "Page not found"}),
    ("/forbidden/", 403, {"zh-hans": "无权访问", "zh-hant": "無權存取", "en": "No access"}),
    ("/boom/", 500, {"zh-hans": "系统出错了", "zh-hant": "系統出錯了", "en": "Something went wrong"}),
]


def _client(world, persona: str, language: str) -> Client:
    client = world.client(persona) if persona != "anonymous" else Client()
    client.raise_request_exception = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.req("P-3")
@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
@pytest.mark.parametrize(("url", "status", "titles"), CASES)
def test_error_pages_have_the_layout_and_the_users_language(world, url, status, titles, language):
    response = _client(world, "handler_a", language).get(url)
    html = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{language}">' in html
    assert 'class="navbar' in html and "app.css" in html  # the site's layout
    assert f"<title>{titles[language]} · EstateDesk</title>" in html
    assert 'id="error-page"' in html
    if language != "en":
        for english in ("Not Found", "Forbidden", "Server Error", "not for you", "a bug"):
            assert english not in html


@pytest.mark.req("P-3")
@pytest.mark.urls("tests.test_error_pages")
def test_the_signed_in_layout_shows_on_404_and_403(world):
    client = _client(world, "handler_a", "zh-hans")
    for url in ("/no-such-page/", "/forbidden/"):
        assert "退出登录" in client.get(url).content.decode()


@pytest.mark.req("P-3")
def test_the_500_page_needs_no_database_and_no_session(db, django_assert_num_queries):
    request = RequestFactory().get("/complaints/1/")
    with translation.override("zh-hans"), django_assert_num_queries(0):
        response = error_pages.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in html and "app.css" in html and "返回首页" in html


@pytest.mark.req("P-3")
def test_the_500_page_has_a_standalone_fallback(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("templates unreadable")

    monkeypatch.setattr(error_pages, "render_to_string", broken)
    with translation.override("zh-hant"):
        response = error_pages.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "系統出錯了" in response.content.decode()


@pytest.mark.req("P-3")
def test_residents_get_no_link_into_the_staff_site(world):
    client = _client(world, "anonymous", "zh-hans")
    html = client.get("/r/no-such-code/").content.decode()
    assert "页面不存在" in html and "返回首页" not in html


@pytest.mark.req("P-3")
@pytest.mark.urls("tests.test_error_pages")
def test_api_errors_stay_json(world):
    response = _client(world, "anonymous", "zh-hans").get("/boom/")
    assert response.status_code == 500
    response = Client().get("/api/no-such-endpoint/")
    assert response.status_code == 404


@pytest.mark.req("P-3")
def test_an_expired_form_is_explained_in_the_users_language(world):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "表单已过期" in html and "CSRF verification" not in html


@pytest.mark.req("P-3")
@pytest.mark.parametrize(
    ("language", "title"), [("zh-hans", "无法打开此网址"), ("en", "This address cannot be opened")]
)
def test_refused_addresses_use_the_same_page(world, language, title):
    client = _client(world, "anonymous", language)
    response = client.get("/org/units/", {"q": "a\x00b"})
    assert response.status_code == 400
    html = response.content.decode()
    assert title in html and 'id="error-page"' in html
