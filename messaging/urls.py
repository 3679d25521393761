"""The customer's pages for a lost document password (messaging/document_access_views.py),
mounted at /documents/ by the project."""

from django.urls import path

from . import document_access_views as views

app_name = "messaging"
urlpatterns = [
    path("<str:language>/lost-password/", views.documents_help, name="documents_help"),
    path(
        "<str:language>/lost-password/<int:client_id>/",
        views.documents_help,
        name="client_documents_help",
    ),
    path("open/", views.documents_open, name="documents_open"),
    path("open/<str:token>/", views.documents_link, name="documents_link"),
    path(
        "download/<int:link_id>/<int:number>/",
        views.documents_download,
        name="documents_download",
    ),
]
