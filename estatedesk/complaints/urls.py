"""Complaint URLs; each part of the app keeps its own list."""

from estatedesk.complaints.urls_detail import urlpatterns as detail_urls
from estatedesk.complaints.urls_files import urlpatterns as file_urls
from estatedesk.complaints.urls_pages import urlpatterns as page_urls
from estatedesk.complaints.urls_print import urlpatterns as print_urls

app_name = "complaints"
urlpatterns = [*page_urls, *detail_urls, *print_urls, *file_urls]
