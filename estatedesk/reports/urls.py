from estatedesk.reports import urls_dashboard, urls_monthly, urls_periods

app_name = "reports"

urlpatterns = [*urls_dashboard.urlpatterns, *urls_monthly.urlpatterns, *urls_periods.urlpatterns]
