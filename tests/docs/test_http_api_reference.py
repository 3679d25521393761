"""docs/integrators/http-api-reference.md is what the generator makes of the OpenAPI document
the site serves now: an endpoint or a schema changed without regenerating the page fails."""

import importlib.util

from tests.docs.markdown import DOCS

spec = importlib.util.spec_from_file_location(
    "openapi_reference", DOCS / "_tools" / "openapi_reference.py"
)
openapi_reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(openapi_reference)


def test_the_reference_page_matches_the_openapi_document(client, db):
    response = client.get(openapi_reference.URL)
    assert response.status_code == 200

    expected = openapi_reference.render(response.json())

    page = openapi_reference.PAGE.read_text(encoding="utf-8")
    assert page == expected, "Stale: run python docs/_tools/openapi_reference.py and commit it"


def test_the_reference_names_every_endpoint(client, db):
    document = client.get(openapi_reference.URL).json()
    page = openapi_reference.PAGE.read_text(encoding="utf-8")

    for path, item in document["paths"].items():
        for method in item:
            assert f"## `{method.upper()} {path}`" in page
