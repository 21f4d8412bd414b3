"""Resident portal URLs (SPEC W-1), mounted at /r/: public, found by estate code or private token."""

from django.urls import URLPattern, path

from estatedesk.portal import consultation_views, notice_views, rectification_views, survey_views, views

app_name = "portal"

urlpatterns: list[URLPattern] = [
    path("c/<str:token>/", views.status, name="status"),
    path("c/<str:token>/done/", views.receipt, name="receipt"),
    # Not "<int:pk>": the permission walk treats pk routes as staff objects; this one is token-scoped.
    path("c/<str:token>/photo/<int:photo_id>/", views.photo, name="photo"),
    # A household's personal survey link (SPEC S-8): the token is the household.
    path("s/<str:token>/", survey_views.survey, name="survey"),
    path("s/<str:token>/done/", survey_views.survey_done, name="survey_done"),
    # A household's link to this month's consultation by questionnaire (SPEC S-4): the token is the
    # household; "m/" because "c/" is the complaint's status link.
    path("m/<str:token>/", consultation_views.consultation, name="consultation"),
    path("m/<str:token>/done/", consultation_views.consultation_done, name="consultation_done"),
    # A household's private link to its estate's notices (SPEC C-3): the token is the household;
    # opening a notice through it is the read receipt.
    path("n/<str:token>/", notice_views.notices, name="notices"),
    path("n/<str:token>/<int:notice_id>/", notice_views.notice, name="notice"),
    path(
        "n/<str:token>/<int:notice_id>/files/<int:attachment_id>/",
        notice_views.notice_file,
        name="notice_file",
    ),
    # A unit's private link to its rectification items (SPEC R-4): the token is the unit; "z" for 整改.
    path("z/<str:token>/", rectification_views.items, name="rectification"),
    path("z/<str:token>/<int:item_id>/", rectification_views.item, name="rectification_item"),
    path("z/<str:token>/photo/<int:photo_id>/", rectification_views.photo, name="rectification_photo"),
    path("<str:code>/notices/", notice_views.estate_notices, name="estate_notices"),
    path("<str:code>/", views.estate, name="estate"),
]
