"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from config.connections import ASGI_MARKER

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Before the settings load: no persistent connections under ASGI (config/connections.py).
os.environ[ASGI_MARKER] = "1"
application = get_asgi_application()
