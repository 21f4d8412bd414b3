from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from estatedesk.core import error_pages
from estatedesk.core import views as core_views
from estatedesk.core.lazy_urls import LoadedOnUse

# Error pages in the site's layout and the visitor's language (a form over
# DATA_UPLOAD_MAX_MEMORY_SIZE is 413, not 400).
handler400 = error_pages.bad_request
handler403 = error_pages.permission_denied
handler404 = error_pages.page_not_found
handler500 = error_pages.server_error

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("health/live/", core_views.health_live, name="health_live"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url="/accounts/password/done/"),
        name="password_change",
    ),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/profile/", core_views.profile, name="profile"),
    path("accounts/tokens/", core_views.token_create, name="token_create"),
    path("accounts/tokens/<int:pk>/revoke/", core_views.token_revoke, name="token_revoke"),
    path("exports/", core_views.export_log, name="export_log"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("org/", include("estatedesk.org.urls")),
    path("calendar/", include("estatedesk.workcal.urls")),
    path("complaints/", include("estatedesk.complaints.urls")),
    path("messages/", include("estatedesk.notifications.urls")),
    path("reports/", include("estatedesk.reports.urls")),
    path("improvement/", include("estatedesk.improvement.urls")),
    path("surveys/", include("estatedesk.surveys.urls")),
    path("communication/", include("estatedesk.communication.urls")),
    path("rectification/", include("estatedesk.rectification.urls")),
    path("records/", include("estatedesk.records.urls")),
    path("r/", include("estatedesk.portal.urls")),
    # The API (and its pydantic schemas, ≈ 28 MiB) is imported by its first request or reverse().
    LoadedOnUse("api/", "estatedesk.api", app_name="ninja", namespace="api"),
    path(f"{settings.ADMIN_URL}", admin.site.urls),
]
