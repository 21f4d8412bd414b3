from datetime import date

from django.urls import path, register_converter

from estatedesk.workcal import views

app_name = "workcal"


class IsoDateConverter:
    """YYYY-MM-DD; an impossible date (2026-02-30) does not match, so it is a 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    path("", views.current_year, name="current"),
    path("<int:year>/", views.year_page, name="year"),
    path("<int:year>/notice/", views.notice_page, name="notice"),
    path("day/<isodate:day>/", views.day_page, name="day"),
]
