from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _placeholder(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(status=404)


urlpatterns: list[URLPattern] = [path("<int:pk>/", _placeholder, name="detail")]
