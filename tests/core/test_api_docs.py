"""/api/docs is served from the vendored Swagger UI: nothing from another origin, no inline script,
so the content security policy allows it and an intranet without internet access shows it."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_only_same_origin_files(client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn." not in page and "https://" not in page and "http://" not in page
    sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page)
    styles = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', page)
    assert sources == ["/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/api-docs.js"]
    assert styles == ["/static/vendor/swagger-ui/swagger-ui.css"]
    # Every <script> has a src: no inline script for the policy to block.
    assert len(re.findall(r"<script\b", page)) == len(sources)
    for url in sources + styles:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content if asset.streaming else [asset.content])
    assert "script-src 'self'" in response["Content-Security-Policy"]
