"""Which files a document may read: the project's static files and nothing else."""

import logging

import pytest

from attachments.api import build_attachment
from attachments.models import AttachmentTemplate
from attachments.rendering import BLOCKED_RESOURCE, link_callback, resolve_static, static_roots

from .conftest import PASSWORD


@pytest.fixture
def static_dir(tmp_path, settings):
    """A static root of its own, with a file inside and a secret beside it."""
    root = tmp_path / "static"
    (root / "img").mkdir(parents=True)
    (root / "img" / "logo.txt").write_text("logo")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "img" / "escape.txt").symlink_to(tmp_path / "secret.txt")
    settings.STATICFILES_DIRS = [root]
    static_roots.cache_clear()
    yield root.resolve()
    static_roots.cache_clear()


@pytest.mark.parametrize("uri", ["img/logo.txt", "/static/img/logo.txt", "static/img/logo.txt"])
def test_static_files_resolve(static_dir, uri):
    assert resolve_static(uri) == static_dir / "img" / "logo.txt"
    assert link_callback(uri, None) == str(static_dir / "img" / "logo.txt")


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1/img/logo.txt",
        "https://example.com/logo.png",
        "//example.com/logo.png",
        "file:///etc/passwd",
        "/etc/passwd",
        "../secret.txt",
        "img/../../secret.txt",
        "img/%2e%2e/%2e%2e/secret.txt",
        "img/escape.txt",  # a symlink out of the root
        "img\\..\\..\\secret.txt",
        "img/missing.png",
        "ftp://example.com/x",
        "",
    ],
)
def test_anything_else_is_replaced_by_an_empty_resource(static_dir, uri):
    assert resolve_static(uri) is None
    assert link_callback(uri, None) == BLOCKED_RESOURCE


def test_the_embedded_fonts_are_static_files():
    assert resolve_static("fonts/DejaVuSans.ttf").name == "DejaVuSans.ttf"
    assert resolve_static("fonts/DejaVuSans-Bold.ttf").name == "DejaVuSans-Bold.ttf"


def test_a_build_logs_no_document_content(caplog, context):
    caplog.set_level(logging.DEBUG, logger="attachments")
    html = """<img src="http://127.0.0.1:9/{{ customer.email }}.png">
      <p style="font-family: NoSuchFont">{{ customer.full_name }} {{ customer.email }}</p>"""

    build_attachment(AttachmentTemplate(name="t", html=html), context, PASSWORD)

    assert "not fetched" in caplog.text
    for value in (context["customer"]["full_name"], context["customer"]["email"], PASSWORD):
        assert value not in caplog.text
