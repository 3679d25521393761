"""Sphinx configuration of the documentation site (docs/developers/documentation.md).

Markdown sources through MyST, the Furo theme. `make docs-build` (and CI) build with warnings
as errors, so a broken internal link, a page outside every table of contents or a missing
picture fails the build.
"""

import logging

project = "Sealpost"
author = "Sealpost"
copyright = "Sealpost"

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"
# _tools holds the scripts that write generated pages; screenshots are pictures, not pages.
exclude_patterns = ["_build", "_tools", "screenshots"]

# Headings get anchors, so [text](page.md#a-heading) is checked like a page link.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

html_theme = "furo"
html_title = "Sealpost"
html_static_path: list[str] = []
# A page that names a missing page or anchor is an error, not a quietly dead link.
nitpicky = True


class _ExpectedEmptyGlob(logging.Filter):
    """docs/index.md lists each folder's pages in reading order, then a `folder/*` glob takes in
    any page added later. That glob matching nothing new is expected, not a mistake; Sphinx's
    warning for it has no type that `suppress_warnings` could name, so it is dropped here, for
    these globs only."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("didn't match any documents" in message and "/*'" in message)


def setup(app):
    logging.getLogger("sphinx.sphinx.directives.other").addFilter(_ExpectedEmptyGlob())
