"""The reference portal at `/portal`: the manual's supplier screens in Chinese, built only on `operations/`.

It shows a frontend team the product working as a supplier sees it, and how a client uses the graph: every
request it makes is a document of `operations/`, sent by its SHA-256 as an Apollo persisted query (so it
also runs under `BFF_PERSISTED_ONLY=true`), and its live parts ride the `graphql-transport-ws` websocket.
The page is plain HTML, CSS and one script (`bff/static/portal/`): no build chain, nothing from outside.

`bff demo` serves it with the demo supplier's token in the page; elsewhere (`BFF_PORTAL=true`) the page asks
for a bearer token and keeps it in the tab's session storage only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bff.operations import Operation

ASSETS_DIR = Path(__file__).parent / "static" / "portal"
ASSETS_PATH = "/portal/assets"
TITLE = "信融宝 · 参考门户"
# The version of the user agreement and data authorization the portal shows (授权协议版本).
AGREEMENT_VERSION = "2026-01"


def page(operations: Iterable[Operation], demo_token: str | None) -> str:
    config = {
        "operations": {o.name: {"query": o.text, "sha256": o.sha256} for o in operations},
        "demoToken": demo_token,
        "agreementVersion": AGREEMENT_VERSION,
    }
    # `<` escaped: the JSON sits inside a <script> element
    blob = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return _PAGE.replace("__TITLE__", TITLE).replace("__ASSETS__", ASSETS_PATH).replace("__CONFIG__", blob)


def portal_routes(operations: tuple[Operation, ...], demo_token: str | None) -> list[BaseRoute]:
    html = page(operations, demo_token)

    async def portal(request: Request) -> HTMLResponse:
        # The page carries the demo token under `bff demo`: never cached, never framed by another site.
        return HTMLResponse(
            html,
            headers={
                "Cache-Control": "no-store",
                "X-Frame-Options": "DENY",
                "Referrer-Policy": "no-referrer",
            },
        )

    return [
        Route("/portal", portal, methods=["GET"]),
        Route("/portal/", portal, methods=["GET"]),
        Mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="portal-assets"),
    ]


_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="__ASSETS__/portal.css">
</head>
<body>
<header class="top">
  <a class="brand" href="#/">信融宝 <small>云筑数科 · 供应链金融</small></a>
  <nav id="nav">
    <a href="#/" data-route="home">首页</a>
    <a href="#/access" data-route="access">产品准入</a>
    <a href="#/orders/mall" data-route="orders">订单融资</a>
    <a href="#/loans" data-route="loans">数据列表</a>
    <a href="#/notices" data-route="notices" class="bell">消息<span id="unread" class="badge" hidden></span></a>
  </nav>
</header>
<main id="app" aria-live="polite"><p class="muted">加载中…</p></main>
<div id="toast" role="status" hidden></div>
<footer class="foot">参考门户 · 每个请求都是 <code>operations/</code> 中的一个文档（持久化查询）。</footer>
<script id="portal-config" type="application/json">__CONFIG__</script>
<script src="__ASSETS__/portal.js"></script>
</body>
</html>
"""
