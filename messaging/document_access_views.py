"""The customer's pages for a lost document password (messaging/document_access.py): the
request form, the page an emailed link opens, and each document downloaded again.

Sealpost's own pages, not the storefront's: they work for every sender, the project's shop
and the client shops of the HTTP API alike, each page in the event's language with the name
of the shop that sent it. None is cached or sends a Referer (the link's token is in its
address; pages with a form send it to this site only, see `form_page`), and the link's address
answers 200 or a redirect whatever the token: Django logs the address of every 4xx answer, and
the token must not reach the logs.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from sealpost_ratelimits import client_address, parse_rate, seconds_to_wait

from . import document_access
from .compose import build_pinned_attachment
from .document_passwords import event_document_passwords
from .models import Client, DocumentAccessLink, Event


def no_store(referrer_policy: str):
    """No cache keeps the page (`never_cache`), and it sends `referrer_policy`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.headers.setdefault("Referrer-Policy", referrer_policy)
            return response

        return never_cache(wrapper)

    return decorator


# Pages whose address or content is a secret (the link's token, the passwords): no page they
# link to learns where the visitor came from.
private = no_store("no-referrer")
# Pages with a form. A browser posts a form from a `no-referrer` page with `Origin: null`, which
# Django's CSRF check refuses (and over HTTPS it then wants a Referer): these send the Referer
# to this site only. Their addresses hold no secret.
form_page = no_store("same-origin")


def _activate(request, language: str) -> None:
    translation.activate(language)
    request.LANGUAGE_CODE = language


class DocumentHelpForm(forms.Form):
    reference = forms.CharField(
        label=_("Order number"),
        max_length=200,
        help_text=_("As it is written in your confirmation email."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The address the confirmation email was sent to."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # screen readers read the hint with the field
            field.widget.attrs["aria-describedby"] = f"id_{name}_help"


def over_limit(request, email: str) -> int:
    """Seconds to wait when this address or this client asked too often (`DOCUMENT_ACCESS_
    RATE_LIMITS`: per email address, per client address), else 0."""
    per_email, per_ip = (parse_rate(text) for text in settings.DOCUMENT_ACCESS_RATE_LIMITS)
    header = settings.DOCUMENT_ACCESS_CLIENT_IP_HEADER
    limits = [
        ("documents-help:email", email.strip().casefold(), per_email),
        ("documents-help:ip", client_address(request, header), per_ip),
    ]
    return seconds_to_wait(limits, cache_alias=settings.DOCUMENT_ACCESS_RATE_LIMIT_CACHE)


@form_page
def documents_help(request, language: str, client_id: int | None = None):
    """*Can't open your PDF?*: order number and email in; the same answer whatever they are."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    client = get_object_or_404(Client, pk=client_id) if client_id is not None else None
    _activate(request, language)
    shop_name = document_access.shop_name(client, language)
    form = DocumentHelpForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if wait := over_limit(request, form.cleaned_data["email"]):
            minutes = max(1, round(wait / 60))
            context = {"shop_name": shop_name, "minutes": minutes}
            response = render(request, "messaging/documents/rate_limited.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        document_access.request_link(client=client, **form.cleaned_data)
        context = {"shop_name": shop_name, "minutes": DocumentAccessLink.minutes()}
        return render(request, "messaging/documents/requested.html", context)
    return render(request, "messaging/documents/help.html", {"form": form, "shop_name": shop_name})


def _gone(request, link: DocumentAccessLink | None):
    """The link no longer works (used, expired, unknown): how to get a new one."""
    event = link.event if link is not None else None
    language = event.language if event is not None else translation.get_language()
    client_id = event.client_id if event is not None else None
    context = {
        "shop_name": _shop_name(event),
        "help_url": document_access.help_url(language=language, client_id=client_id),
    }
    return render(request, "messaging/documents/gone.html", context)


def _shop_name(event: Event | None) -> str:
    if event is None:
        return document_access.shop_name(None, translation.get_language())
    return document_access.shop_name(event.client, event.language)


def _not_kept(request, event: Event, status: int = 200):
    context = {"shop_name": _shop_name(event)}
    return render(request, "messaging/documents/not_kept.html", context, status=status)


PENDING_KEY = "document_access_pending"


@private
def documents_link(request, token: str):
    """The address an emailed link holds. An unused, unexpired link is remembered in this
    browser's session and the browser sent on to `documents_open`, whose address holds no token
    (so its form may send a same-origin Referer); nothing is used up yet: mail scanners fetch
    links before the customer clicks. Any other token answers, with a 200, that the link no
    longer works."""
    link = DocumentAccessLink.objects.for_token(token)
    if link is None:
        return _gone(request, None)
    event = link.event
    _activate(request, event.language)
    if event.is_erased:
        return _not_kept(request, event)
    if link.opened_at is not None or link.is_expired():
        return _gone(request, link)
    request.session[PENDING_KEY] = link.pk
    return redirect("messaging:documents_open", permanent=False)


def _pending_link(request) -> DocumentAccessLink | None:
    link_id = request.session.get(PENDING_KEY)
    if link_id is None:
        return None
    links = DocumentAccessLink.objects.select_related("event", "event__client")
    return links.filter(pk=link_id).first()


@form_page
def documents_open(request):
    """The page a link leads to: GET asks for a click; the POST uses the link up and shows the
    passwords and documents (`private`), which this browser may download until the link
    expires."""
    link = _pending_link(request)
    if link is None:
        return _gone(request, None)
    event = link.event
    _activate(request, event.language)
    if event.is_erased:
        return _not_kept(request, event)
    if request.method == "POST":
        if link.open():
            document_access.grant(request.session, link)
            document_access.record(event, "Lost password: the link was opened, passwords shown.")
            return _documents_page(request, link)
        if document_access.granted_link(request.session, link.pk) is not None:
            return _documents_page(request, link)  # the same browser, reloading
        return _gone(request, link)
    if link.opened_at is not None or link.is_expired():
        if document_access.granted_link(request.session, link.pk) is not None:
            return _documents_page(request, link)  # the same browser, coming back
        return _gone(request, link)
    context = {"shop_name": _shop_name(event), "reference": event.reference}
    return render(request, "messaging/documents/open.html", context)


def _documents_page(request, link: DocumentAccessLink):
    event = link.event
    documents = document_access.list_documents(event)
    if not documents:
        return _not_kept(request, event)
    context = {
        "shop_name": _shop_name(event),
        "reference": event.reference,
        "passwords": event_document_passwords(event),
        "documents": documents,
        "link": link,
    }
    response = render(request, "messaging/documents/shown.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response


@private
def documents_download(request, link_id: int, number: int):
    """One document again, built now from the revisions the email was built from and the
    event's data, encrypted with the same password; for the browser that opened the link,
    until it expires."""
    link = document_access.granted_link(request.session, link_id)
    if link is None:
        return _gone(request, None)
    event = link.event
    _activate(request, event.language)
    if event.is_erased:
        return _not_kept(request, event, status=410)
    documents = document_access.documents_of(document_access.latest_message(event))
    if not 1 <= number <= len(documents):
        raise Http404
    revision = documents[number - 1].attachment_revision
    context = event.template_context(language=revision.template.language)
    attachment = build_pinned_attachment(revision, context, event.token)
    document_access.record(event, f"Lost password: {attachment.filename} downloaded again.")
    response = HttpResponse(attachment.content, content_type=attachment.mimetype)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    return response
