"""Every environment variable is documented, and the documentation names no variable that does
not exist: docs/operators/settings.md against what config/settings.py reads."""

from __future__ import annotations

import ast
import re

from django.conf import settings

from tests.docs.markdown import DOCS, ROOT, pages, table_first_cells, without_code_blocks

SETTINGS_FILE = ROOT / "config" / "settings.py"
SETTINGS_PAGE = DOCS / "operators" / "settings.md"

# Upper-case names the pages mention that are neither read by config/settings.py nor Django
# settings: read by the tooling, by other programs, or request.META keys. Each says why.
OTHER_NAMES = {
    "CI": "the test suite and .ci/run: a skipped browser, worker or chaos test fails",
    "PORT": "the Makefile: make run's port; scripts/screenshots.py's server",
    "DOCS_PORT": "the Makefile: make docs' port",
    "PYTEST_ARGS": "the Makefile: extra arguments for make test",
    "UPGRADE": "the Makefile: make lock UPGRADE=1",
    "MUTANTS": "the Makefile: make mutation MUTANTS=…",
    "JOBS": "the Makefile: make mutation's processes",
    "UX_SHOTS": "tests/e2e/test_phones.py: where to save its screenshots",
    "CHAOS_REPORT": "tests/chaos: where the fault suite writes its table",
    "CHROMIUM_PATH": "scripts/screenshots.py: the browser",
    "SERVER_SOFTWARE": "set by gunicorn's arbiter; config/connections.py reads it",
    "AWS_ACCESS_KEY_ID": "boto3, for Amazon SES",
    "AWS_SECRET_ACCESS_KEY": "boto3, for Amazon SES",
    "AWS_DEFAULT_REGION": "boto3, for Amazon SES",
    "REMOTE_ADDR": "a request.META key (SHOP_CLIENT_IP_HEADER's default)",
    "HTTP_X_REAL_IP": "a request.META key (an example of SHOP_CLIENT_IP_HEADER)",
    "HTTP_X_FORWARDED_PROTO": "a request.META key (an example of SECURE_PROXY_SSL_HEADER)",
    "DJANGO_SETTINGS_MODULE": "Django's own: which settings module to load",
}

ENV_CALLS = {"os.environ.get", "os.getenv", "os.environ.setdefault"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _name_or_pattern(node: ast.AST) -> str | re.Pattern | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # f"SHOP_RATE_LIMIT_{action.upper()}"
        parts = [
            re.escape(value.value) if isinstance(value, ast.Constant) else "[A-Z0-9_]+"
            for value in node.values
        ]
        return re.compile("".join(parts))
    return None


def variables_read() -> tuple[set[str], list[re.Pattern]]:
    """The names config/settings.py reads from the environment (env.str, env.int, env.bool,
    env.list, env.db, env.cache, env.float…, os.environ[…], os.getenv), and patterns for those
    it builds (an f-string) or collects by prefix (`for name in os.environ if
    name.startswith("ANYMAIL_")`)."""
    tree = ast.parse(SETTINGS_FILE.read_text(encoding="utf-8"))
    names: set[str] = set()
    patterns: list[re.Pattern] = []

    def add(found):
        if isinstance(found, str):
            names.add(found)
        elif found is not None:
            patterns.append(found)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            function = _dotted(node.func)
            if function == "env" or function.startswith("env.") or function in ENV_CALLS:
                add(_name_or_pattern(node.args[0]))
        if isinstance(node, ast.Subscript) and _dotted(node.value) == "os.environ":
            add(_name_or_pattern(node.slice))
        if isinstance(node, ast.comprehension) and "os.environ" in ast.unparse(node.iter):
            for condition in node.ifs:
                for call in ast.walk(condition):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "startswith"
                    ):
                        prefix = call.args[0].value
                        patterns.append(re.compile(re.escape(prefix) + r"(<NAME>|[A-Z0-9_]+)"))
    return names, patterns


def benchmark_variables() -> set[str]:
    """Environment variables the benchmarks read (`os.environ.get("BENCH_…")` in bench/):
    docs/developers/benchmarks.md names them; the application never reads them."""
    found = set()
    for path in (ROOT / "bench").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r"os\.environ(?:\.get)?[(\[]\s*\"([A-Z][A-Z0-9_]+)\"", text))
    return found


def code_constants() -> set[str]:
    """Upper-case names the project's own code assigns (`Customer.ERASED_VALUES`,
    `library.ALLOWED_TAGS`): a page may name those without their class or module."""
    skip = {".venv", "mutants", "_build", "node_modules", ".git"}
    found = set()
    for path in ROOT.rglob("*.py"):
        if skip & set(path.relative_to(ROOT).parts):
            continue
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r"^\s*([A-Z][A-Z0-9_]+)\s*(?::[^=\n]+)?=", text, re.MULTILINE))
    return found


def documented_rows() -> list[str]:
    return table_first_cells(SETTINGS_PAGE.read_text(encoding="utf-8"))


def test_settings_reads_the_variables_this_test_expects_to_find():
    """The parser above finds each way config/settings.py reads the environment."""
    names, patterns = variables_read()

    assert {
        "DEBUG",
        "DATABASE_URL",
        "CACHE_URL",
        "ATTACHMENT_DRAW_SECONDS",
        "ALLOWED_HOSTS",
    } <= names
    assert any(p.fullmatch("SHOP_RATE_LIMIT_PAYMENT") for p in patterns)
    assert any(p.fullmatch("ANYMAIL_<NAME>") for p in patterns)


def test_every_row_of_the_settings_page_is_one_variable():
    bad = [cell for cell in documented_rows() if not re.fullmatch(r"`[A-Z][A-Z0-9_<>]*`", cell)]

    assert bad == [], "Each row of docs/operators/settings.md names one variable in backticks"


def test_every_variable_settings_reads_has_a_row():
    names, patterns = variables_read()
    rows = {cell.strip("`") for cell in documented_rows()}

    missing = sorted(names - rows)
    unmatched = [p.pattern for p in patterns if not any(p.fullmatch(row) for row in rows)]

    assert missing == [], f"Not in docs/operators/settings.md: {missing}"
    assert unmatched == [], f"No row in docs/operators/settings.md matches {unmatched}"


def test_every_row_is_a_variable_settings_reads():
    names, patterns = variables_read()
    rows = [cell.strip("`") for cell in documented_rows()]

    unknown = [r for r in rows if r not in names and not any(p.fullmatch(r) for p in patterns)]

    assert unknown == [], f"docs/operators/settings.md documents variables nothing reads: {unknown}"


def test_every_variable_the_documentation_names_exists():
    """An upper-case name in backticks anywhere in the docs or the README is a variable
    config/settings.py reads, a Django setting, a constant of the project's code, or one of
    OTHER_NAMES."""
    names, patterns = variables_read()
    constants = code_constants() | benchmark_variables()
    unknown = {}
    for page in pages():
        text = without_code_blocks(page.read_text(encoding="utf-8"))
        # With an underscore: `SEK`, `INFO` or `SE` in a default column are values, not names.
        for token in re.findall(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9<>]+)+)`", text):
            if token in names or token in OTHER_NAMES or token in constants:
                continue
            if any(p.fullmatch(token) for p in patterns) or hasattr(settings, token):
                continue
            unknown.setdefault(token, page.relative_to(ROOT).as_posix())

    assert unknown == {}, f"Names that are no variable or setting: {unknown}"
