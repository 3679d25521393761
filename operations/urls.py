"""Operations URLs, included before the admin's (whose catch-all would take the page)."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path(
        "admin/delivery-health/",
        admin.site.admin_view(views.delivery_health),
        name="delivery_health",
    ),
    path("metrics", views.metrics, name="metrics"),
    path("healthz", views.healthz, name="healthz"),
]
