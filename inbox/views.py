"""The dev inbox: every email the capture backend "sent", readable in the browser.

It exists only when `DEV_INBOX` is on (the default with `DEBUG`): otherwise every page is a 404.
With `DEBUG` off it also asks for a staff login with `DEV_INBOX_PERMISSION` (the permission to
view messages, `messaging.view_message`, in this project), because captured emails hold
customers' addresses: staff status alone is not enough.
"""

from functools import wraps

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from stafftemplates.admin_pages import sandboxed_html

from .models import CapturedAttachment, CapturedEmail


def inbox_access(view):
    """404 unless `DEV_INBOX` is on; without `DEBUG`, a staff login (else the login page) and
    the message-view permission (else 403), as the admin's own message pages require."""
    guarded = staff_member_required(
        permission_required(settings.DEV_INBOX_PERMISSION, raise_exception=True)(view)
    )

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.DEV_INBOX:
            raise Http404("The dev inbox is off.")
        if settings.DEBUG:
            return view(request, *args, **kwargs)
        return guarded(request, *args, **kwargs)

    return wrapper


@inbox_access
def inbox(request):
    emails = CapturedEmail.objects.prefetch_related("attachments").defer(
        "text_body", "html_body", "headers"
    )[:200]
    return render(request, "inbox/list.html", {"emails": emails})


@inbox_access
def email_detail(request, pk):
    email = get_object_or_404(CapturedEmail.objects.prefetch_related("attachments"), pk=pk)
    return render(request, "inbox/detail.html", {"email": email})


@inbox_access
def email_html(request, pk):
    email = get_object_or_404(CapturedEmail, pk=pk)
    return sandboxed_html(email.html_body)


@inbox_access
def attachment_download(request, pk):
    attachment = get_object_or_404(CapturedAttachment, pk=pk)
    response = HttpResponse(bytes(attachment.content), content_type=attachment.mimetype)
    # Always a download: the file name was sanitised to ASCII when it was built.
    response["Content-Disposition"] = f'attachment; filename="{attachment.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
