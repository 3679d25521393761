"""Top-level URLs: storefront, admin, ESP tracking webhooks, and the dev inbox in development."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("shop.urls")),
]
