"""The dev inbox's pages, mounted at /dev/inbox/ by config/urls.py when the app is installed."""

from django.urls import path

from . import views

app_name = "dev_inbox"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("<int:pk>/", views.email_detail, name="detail"),
    path("<int:pk>/html/", views.email_html, name="html"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
