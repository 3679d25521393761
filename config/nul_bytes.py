"""NUL bytes in a request are replaced by U+FFFD before any view, form or django-axes reads it.

PostgreSQL refuses NUL in text: one reaching a query (an admin list filter's value) or a row
(django-axes records the User-Agent of every failed admin login) is a DataError, a 500 and an
error report. No browser or person sends one on purpose, and the visible U+FFFD then fails
whatever validation the value meets (an order number, a choice) with the usual form error, or
is stored as the mark of a broken client. The path needs nothing: every URL pattern's
converter refuses a NUL (a 404). The tracking webhook's JSON body is not a form:
`messaging.tracking` cleans its text the same way.
"""

from django.http import HttpRequest, HttpResponse, QueryDict

NUL = "\x00"
REPLACEMENT = "\ufffd"


def _cleaned(query: QueryDict) -> QueryDict | None:
    """A copy of `query` with NUL replaced in names and values, or None if it has none."""
    if not any(NUL in name or any(NUL in v for v in values) for name, values in query.lists()):
        return None
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for name, values in query.lists():
        cleaned.setlist(
            name.replace(NUL, REPLACEMENT), [value.replace(NUL, REPLACEMENT) for value in values]
        )
    cleaned._mutable = False
    return cleaned


class ReplaceNulBytesMiddleware:
    """Replace NUL in the query string, a form body and the headers."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, value in list(request.META.items()):
            if name.startswith("HTTP_") and isinstance(value, str) and NUL in value:
                request.META[name] = value.replace(NUL, REPLACEMENT)
        if (query := _cleaned(request.GET)) is not None:
            request.GET = query
        # A form body only: other content types (the webhook's JSON) are left to their views.
        is_form = request.method == "POST" and request.content_type in self.FORM_TYPES
        if is_form and (form := _cleaned(request.POST)) is not None:
            request.POST = form
        return self.get_response(request)
