"""Sphinx configuration of the documentation site (docs/developers/documentation.md).

Markdown sources through MyST, the Furo theme. `make docs-build` (and CI) build with warnings
as errors, so a broken internal link, a page outside every table of contents or a missing
picture fails the build.
"""

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
