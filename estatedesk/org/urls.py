from django.urls import path

from estatedesk.org import channel_views, import_views, privacy_views, views

app_name = "org"

urlpatterns = []
for key, views_of in views.VIEWS.items():
    urlpatterns += [
        path(f"{key}s/", views_of["list"], name=f"{key}_list"),
        path(f"{key}s/new/", views_of["create"], name=f"{key}_create"),
        path(f"{key}s/<int:pk>/", views_of["detail"], name=f"{key}_detail"),
        path(f"{key}s/<int:pk>/edit/", views_of["edit"], name=f"{key}_edit"),
    ]
    if "export" in views_of:
        urlpatterns.append(path(f"{key}s/export.xlsx", views_of["export"], name=f"{key}_export"))
urlpatterns += [
    path("customers/<int:pk>/reveal/", views.customer_reveal, name="customer_reveal"),
    path("settings/", views.settings_edit, name="settings_edit"),
    path("import/", import_views.import_start, name="import_start"),
    path("import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("import/template.<str:fmt>", import_views.import_template, name="import_template"),
    path("privacy-notice/", privacy_views.current, name="privacy_notice"),
    path("privacy-notice/<int:pk>/", privacy_views.detail, name="privacy_notice_detail"),
    path("privacy-notice/<int:pk>/publish/", privacy_views.publish, name="privacy_notice_publish"),
    path("channels/", channel_views.channel_list, name="channel_list"),
    path("channels/new/", channel_views.channel_create, name="channel_create"),
    path("channels/<int:pk>/", channel_views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/rename/", channel_views.channel_rename, name="channel_rename"),
    path("channels/<int:pk>/move/", channel_views.channel_move, name="channel_move"),
    path("channels/<int:pk>/active/", channel_views.channel_active, name="channel_active"),
    path("channels/<int:pk>/delete/", channel_views.channel_delete, name="channel_delete"),
]
