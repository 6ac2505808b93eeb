"""`/graphql` in a real headless browser (Debian chromium driven by playwright; never a downloaded browser).

Strawberry's GraphiQL page loads React, GraphiQL and their CSS from unpkg.com. This test environment has no
route to public CDNs, so the editor itself cannot render here ("Loading..." stays on screen); every
off-origin request is aborted up front so the page settles at once instead of waiting on DNS. What a
browser needs from *us* is tested: the page is served at `/graphql`, it reaches nothing but that CDN, and
the graph answers a `fetch()` from the page's origin with the viewer's bearer token.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from app_fixtures import Bff
from playwright.async_api import Browser, Page, Request, Route, async_playwright

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path("/tmp/graphiql.png")
# Where strawberry's graphiql.html fetches its JS and CSS from.
GRAPHIQL_CDN_HOSTS = {"unpkg.com"}

VIEWER_NAME = "{ viewer { name } }"

# Runs in the page: POST to the page's own origin, as GraphiQL's fetcher does.
FETCH_GRAPHQL = """
async ([query, authorization]) => {
  const headers = {"Content-Type": "application/json", "Accept": "application/json"};
  if (authorization) headers["Authorization"] = authorization;
  const response = await fetch("/graphql", {method: "POST", headers, body: JSON.stringify({query})});
  return {status: response.status, body: await response.json()};
}
"""


@pytest.fixture
def chromium() -> Path:
    """Debian's chromium; skips without it (fails instead when `CI=true`)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true: the browser tests must run", pytrace=False)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


class OffOrigin:
    """Aborts every request that leaves the BFF's origin, and remembers the hosts it was aimed at."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.hosts: set[str] = set()

    async def __call__(self, route: Route, request: Request) -> None:
        parts = urlsplit(request.url)
        if request.url.startswith(self.origin + "/") or parts.scheme in ("data", "blob"):
            await route.continue_()
        else:
            self.hosts.add(parts.hostname or request.url)
            await route.abort("internetdisconnected")


async def _open_graphiql(browser: Browser, bff: Bff) -> tuple[Page, OffOrigin]:
    page = await browser.new_page()
    page.set_default_timeout(10_000)
    off_origin = OffOrigin(bff.url)
    await page.route("**/*", off_origin)
    response = await page.goto(f"{bff.url}/graphql")
    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    return page, off_origin


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the page does not depend on the backend
async def test_graphiql_page_is_served_and_the_graph_answers_its_origin(browser: Browser, bff: Bff) -> None:
    # given
    expected = await bff.query(VIEWER_NAME)
    assert expected["data"]["viewer"]["name"]

    # when
    page, off_origin = await _open_graphiql(browser, bff)
    signed_in: dict[str, Any] = await page.evaluate(FETCH_GRAPHQL, [VIEWER_NAME, f"Bearer {bff.token()}"])
    anonymous: dict[str, Any] = await page.evaluate(FETCH_GRAPHQL, [VIEWER_NAME, None])
    await page.screenshot(path=str(SCREENSHOT))

    # then
    assert await page.title() == "Strawberry GraphiQL"
    assert off_origin.hosts <= GRAPHIQL_CDN_HOSTS, f"the page reaches unexpected hosts: {off_origin.hosts}"
    assert signed_in == {"status": 200, "body": expected}
    assert anonymous["status"] == 200
    assert anonymous["body"]["data"] is None
    assert [error["extensions"]["code"] for error in anonymous["body"]["errors"]] == ["UNAUTHENTICATED"]
