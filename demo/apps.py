from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Nordic Goods, the demo shop: its catalog, its confirmation email and PDF, and the
    `seed_demo` command that loads them. Project content, not part of any reusable app."""

    name = "demo"
    verbose_name = "Nordic Goods demo"
