"""Content Security Policy for every HTML page we serve (storefront, admin, dev inbox).

Our own middleware rather than a package: the policy is one static header, no page needs a
nonce (no template of ours, nor the admin's, has an inline script or event handler; the test
in tests/test_security_headers.py keeps it so), and Django 5.2 has none built in.

Responses that set their own policy keep it: the email previews in admin and the dev inbox
send `sandbox; default-src 'none'`. Non-HTML responses (the encrypted PDFs, shown inline in
the admin previews) get none, so the browser's PDF viewer is not restricted.
"""

from django.conf import settings

HEADER = "Content-Security-Policy"


def build_policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds `settings.CONTENT_SECURITY_POLICY` to HTML responses that have no policy yet.

    `frame-ancestors` follows X-Frame-Options (place this middleware above Django's
    XFrameOptionsMiddleware, so it sees the header that one set): `'none'` for DENY, `'self'`
    for the preview responses marked SAMEORIGIN.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = dict(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER in response or not response.get("Content-Type", "").startswith("text/html"):
            return response
        framing = "'self'" if response.get("X-Frame-Options") == "SAMEORIGIN" else "'none'"
        response[HEADER] = build_policy(self.policy | {"frame-ancestors": framing})
        return response
