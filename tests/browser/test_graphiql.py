"""GraphiQL in a real headless browser (Debian chromium driven by playwright; never a downloaded browser).

The page's React/GraphiQL assets are vendored (`bff/static/graphiql/`), so it renders without internet;
every off-origin request is aborted, which proves the page needs nothing from outside.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from app_fixtures import JWT_SECRET, Bff
from playwright.async_api import Browser, Page, Request, Route

from bff.auth import mint_token
from bff.graphiql import TITLE
from bff.operations import load_operations

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/graphiql.png")
OPERATIONS = {operation.name: operation for operation in load_operations()}

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


async def _open_graphiql(browser: Browser, bff: Bff, search: str = "") -> tuple[Page, OffOrigin]:
    page = await browser.new_page()
    page.set_default_timeout(15_000)
    off_origin = OffOrigin(bff.url)
    await page.route("**/*", off_origin)
    response = await page.goto(f"{bff.url}/graphql{search}")
    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    return page, off_origin


DEMO = {"graphiql": True, "introspection": True, "demo_token": mint_token(JWT_SECRET, "GD-BOTH")}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the page does not depend on the backend
@pytest.mark.parametrize("bff_overrides", [DEMO])
async def test_graphiql_opens_on_a_page_operation_with_the_demo_header(browser: Browser, bff: Bff) -> None:
    # given: the plain URL `bff demo` prints — no token in it
    expected = await bff.query(OPERATIONS["EntryPointBanner"].text)
    name = expected["data"]["viewer"]["name"]

    # when: a person opens it and presses the run button
    page, off_origin = await _open_graphiql(browser, bff)
    await page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response")
    await result.get_by_text(name).wait_for()
    await page.screenshot(path=str(SCREENSHOT))

    # then: the product's title, the banner's document, the demo token in the headers editor
    assert await page.title() == TITLE
    assert off_origin.hosts == set(), f"the page reached outside its origin: {off_origin.hosts}"
    assert "EntryPointBanner" in await page.locator(".graphiql-query-editor").inner_text()
    assert '"eligible": true' in await result.inner_text()
    assert "?" not in page.url

    # and: a reload restores the one tab with its headers, instead of adding an <untitled> one
    await page.reload()
    await page.locator(".graphiql-execute-button").click()
    await result.get_by_text(name).wait_for()
    assert await page.locator(".graphiql-tab").count() <= 1
    assert "untitled" not in (await page.locator(".graphiql-sessions").inner_text()).lower()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("bff_overrides", [DEMO])
async def test_the_operations_are_offered_as_examples(browser: Browser, bff: Bff) -> None:
    page, _ = await _open_graphiql(browser, bff)
    buttons = page.locator(".bff-examples button")
    await buttons.first.wait_for()
    assert await buttons.count() == len(OPERATIONS)
    await page.locator('[data-example="DataList"]').click()
    await page.locator(".graphiql-query-editor").get_by_text("query DataList").wait_for()
    await page.locator(".graphiql-execute-button").click()
    await page.screenshot(path="/tmp/graphiql-examples.png")
    await page.locator(".graphiql-response").get_by_text("totalCount").wait_for()
    assert await page.locator(".graphiql-tab").count() == 2


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_the_graph_answers_a_fetch_from_the_page_origin(browser: Browser, bff: Bff) -> None:
    # given
    expected = await bff.query(VIEWER_NAME)
    page, _ = await _open_graphiql(browser, bff)
    # when
    signed_in: dict[str, Any] = await page.evaluate(FETCH_GRAPHQL, [VIEWER_NAME, f"Bearer {bff.token()}"])
    anonymous: dict[str, Any] = await page.evaluate(FETCH_GRAPHQL, [VIEWER_NAME, None])
    # then
    assert signed_in["status"] == 200
    assert signed_in["body"].pop("extensions")["cost"]["requestedQueryCost"] == 2
    assert signed_in["body"] == expected
    assert anonymous["status"] == 200
    assert anonymous["body"]["data"] is None
    assert [error["extensions"]["code"] for error in anonymous["body"]["errors"]] == ["UNAUTHENTICATED"]
