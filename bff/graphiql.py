"""GraphiQL served from vendored assets (`bff/static/graphiql/`), so it works on machines without internet.

Strawberry's page names its assets on unpkg.com with subresource-integrity hashes; the vendored files are
byte-identical (`scripts/vendor-graphiql`), so the page is only re-pointed and the hashes still check.
"""

from __future__ import annotations

from pathlib import Path

ASSETS_DIR = Path(__file__).parent / "static" / "graphiql"
ASSETS_PATH = "/graphiql-assets"

_CDN_TO_LOCAL = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": "react-dom.production.min.js",
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "plugin-explorer.umd.js",
}


def localize(html: str) -> str:
    """Point strawberry's GraphiQL page at the vendored assets; fails loudly if strawberry changed them."""
    for cdn_url, file_name in _CDN_TO_LOCAL.items():
        if cdn_url not in html:
            raise RuntimeError(
                f"strawberry's GraphiQL page no longer loads {cdn_url}: run scripts/vendor-graphiql"
            )
        html = html.replace(cdn_url, f"{ASSETS_PATH}/{file_name}")
    return html
