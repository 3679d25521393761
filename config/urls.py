"""Top-level URLs: storefront, admin, ESP tracking webhooks, and the dev inbox in development."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # ESP tracking webhooks, e.g. /webhooks/anymail/postmark/tracking/ (basic auth with
    # ANYMAIL_WEBHOOK_SECRET).
    path("webhooks/anymail/", include("anymail.urls")),
    # The dev inbox answers 404 unless DEV_INBOX is on (the default with DEBUG).
    path("dev/inbox/", include("messaging.inbox")),
    path("", include("shop.urls")),
]
