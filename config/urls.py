"""Top-level URLs: storefront, admin, ESP tracking webhooks, operations (the delivery health
page, /metrics, /healthz), and the dev inbox in development."""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from messaging import webhooks

# The back office says whose it is (the admin site belongs to the project, not to one app).
admin.site.site_header = admin.site.site_title = f"{settings.SHOP_NAME} back office"
admin.site.index_title = "Orders, emails and templates"
# No navigation column beside every page (the breadcrumbs and the index lead everywhere): on a
# 1280 px laptop it took the room the outbox and order tables need.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    # First: the admin's catch-all would otherwise answer admin/delivery-health/.
    path("", include("operations.urls")),
    path("admin/", admin.site.urls),
    # The configured ESP's tracking webhook, e.g. /webhooks/anymail/postmark/tracking/ (basic
    # auth with ANYMAIL_WEBHOOK_SECRET); any other ESP's is a 404 (messaging/webhooks.py).
    path(
        "webhooks/anymail/<slug:esp>/tracking/",
        webhooks.tracking_webhook,
        name="anymail_tracking",
    ),
    # The language switcher posts here (Django's `set_language`: CSRF-protected, no script
    # needed); it keeps the choice in a cookie that LocaleMiddleware reads on every request.
    # The HTTP API for other systems (docs/integrators/http-api.md): Bearer keys, JSON, no
    # session or CSRF.
    path("api/", include("api.urls")),
    # Lost document passwords, self-service (messaging/document_access.py): every sender's.
    path("documents/", include("messaging.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("shop.urls")),
]
if apps.is_installed("inbox"):
    # The dev inbox answers 404 unless DEV_INBOX is on (the default with DEBUG).
    urlpatterns.insert(-1, path("dev/inbox/", include("inbox.urls")))
