"""The message center's URLs as a project without the shop mounts them."""

from django.contrib import admin
from django.urls import include, path

from messaging import webhooks

urlpatterns = [
    # Before the admin's catch-all (admin/delivery-health/).
    path("", include("operations.urls")),
    path("admin/", admin.site.urls),
    path(
        "webhooks/anymail/<slug:esp>/tracking/",
        webhooks.tracking_webhook,
        name="anymail_tracking",
    ),
    path("api/", include("api.urls")),
    # Lost document passwords, self-service (messaging/document_access.py).
    path("documents/", include("messaging.urls")),
    # The development mail catcher (404 unless DEV_INBOX is on).
    path("dev/inbox/", include("inbox.urls")),
]
