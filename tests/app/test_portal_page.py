"""The reference portal's page over HTTP: off unless turned on, built from operations/, the token only where
`bff demo` put it. (The screens themselves: tests/browser/test_portal.py.)"""

from __future__ import annotations

import json
import re

import pytest
from app_fixtures import JWT_SECRET, Bff

from bff.auth import mint_token
from bff.operations import load_operations

DEMO_TOKEN = mint_token(JWT_SECRET, "GD-BOTH")


def page_config(html: str) -> dict[str, object]:
    found = re.search(r'<script id="portal-config" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    config: dict[str, object] = json.loads(found.group(1))
    return config


async def test_the_portal_is_not_served_by_default(bff: Bff) -> None:
    for path in ("/portal", "/portal/assets/portal.js"):
        async with bff.http.get(f"{bff.url}{path}") as response:
            assert response.status == 404, path


@pytest.mark.parametrize("bff_overrides", [{"portal": True, "demo_token": DEMO_TOKEN}])
async def test_the_page_carries_every_document_of_operations_by_its_hash(bff: Bff) -> None:
    async with bff.http.get(f"{bff.url}/portal") as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"
        config = page_config(await response.text())
    expected = {o.name: {"query": o.text, "sha256": o.sha256} for o in load_operations()}
    assert config["operations"] == expected
    assert config["demoToken"] == DEMO_TOKEN


@pytest.mark.parametrize("bff_overrides", [{"portal": True}])
async def test_outside_the_demo_the_page_carries_no_token(bff: Bff) -> None:
    async with bff.http.get(f"{bff.url}/portal") as response:
        config = page_config(await response.text())
    assert config["demoToken"] is None


@pytest.mark.parametrize("bff_overrides", [{"portal": True}])
async def test_the_script_and_styles_are_served_from_the_package(bff: Bff) -> None:
    for path, content_type in (("portal.js", "javascript"), ("portal.css", "text/css")):
        async with bff.http.get(f"{bff.url}/portal/assets/{path}") as response:
            assert response.status == 200
            assert content_type in response.headers["Content-Type"]
