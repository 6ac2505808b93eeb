"""With `BFF_PUBLIC_URL` set, download links are absolute on that base (never on the request's Host)."""

from __future__ import annotations

from typing import Any

import pytest
from app_fixtures import Bff

PUBLIC = "https://bff.example.com/api"


@pytest.fixture
def bff_overrides() -> dict[str, Any]:
    return {"public_url": PUBLIC, "document_url_ttl": 60}


async def test_links_start_with_the_public_url_whatever_the_host_header(bff: Bff) -> None:
    query = (
        "{ viewer { documents(kinds: [REALNAME_AGREEMENT]) { edges { node { downloadUrl issuedAt } } } } }"
    )
    result = await bff.query(
        query, headers={"Host": "evil.example.net", "Authorization": f"Bearer {bff.token()}"}
    )
    assert "errors" not in result, result
    [edge] = result["data"]["viewer"]["documents"]["edges"]
    url = edge["node"]["downloadUrl"]
    assert url.startswith(f"{PUBLIC}/documents/")
    assert "evil" not in url
    assert edge["node"]["issuedAt"]
    # the same token works on the BFF itself
    async with bff.http.get(bff.url + url.removeprefix(PUBLIC)) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/pdf"
