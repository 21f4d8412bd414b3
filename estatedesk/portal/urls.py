from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

app_name = "portal"


def _placeholder(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse(status=404)


urlpatterns: list[URLPattern] = [path("c/<str:token>/", _placeholder, name="status")]
