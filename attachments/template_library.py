"""The only tags and filters a staff-written attachment template may use.

Django's full builtins include tags that reach outside the context (`{% load %}`,
`{% include %}`, `{% extends %}`, `{% url %}`, `{% debug %}`, `{% csrf_token %}`). Staff templates
render a flat dict of plain values into a document; they need loops, conditions and formatting,
nothing that touches the project. This library copies that subset from Django's own.
"""

from django.template import Library, defaultfilters, defaulttags

register = Library()

ALLOWED_TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)

for _name in ALLOWED_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]

# Every default filter is a pure function of its input: keep them all.
register.filters.update(defaultfilters.register.filters)
