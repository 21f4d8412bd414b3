from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def import_start(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound()


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponseNotFound()


def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    return HttpResponseNotFound()
