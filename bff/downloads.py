"""`GET /documents/{token}`: a bank document streamed through the BFF (what `Document.downloadUrl` opens).

The token (`bff.document_links`) is the credential — a browser opening a link sends no bearer token. The
route serves it only when it is well signed, not expired, and the bank lists the document for the
supplier the token was made for; a request that does carry a bearer token for another supplier is
refused too. Every refusal is the same bare 404, so a link reveals nothing about other documents. The
bank's PDF is passed on in chunks as it arrives (never held whole), as `application/pdf` with the
document's Chinese file name (RFC 6266 / RFC 5987). The bank down → 503.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from bff import document_links
from bff.auth import viewer_from_authorization
from bff.context import Services
from bff.errors import AuthenticationError, UpstreamError, UpstreamResponseError
from bff.loaders import Loaders

logger = logging.getLogger("bff.downloads")
CHUNK_BYTES = 64 * 1024


def _not_found() -> Response:
    return JSONResponse({"code": "NOT_FOUND", "message": "No such document, or the link has expired."}, 404)


def _unavailable() -> Response:
    return JSONResponse(
        {"code": "UPSTREAM_UNAVAILABLE", "message": "WeBank is unavailable; try again shortly."},
        503,
        headers={"Retry-After": "30"},
    )


async def download_document(request: Request) -> Response:
    services: Services = request.app.state.services
    settings = services.settings
    grant = document_links.verify(settings.jwt_secret, str(request.path_params["token"]), time.time())
    if grant is None:
        return _not_found()
    header = request.headers.get("authorization")
    if header:
        try:
            viewer = viewer_from_authorization(header, settings.jwt_secret, audience=settings.jwt_audience)
        except AuthenticationError:
            return _not_found()
        if not viewer.may_read(grant.supplier_code):
            return _not_found()
    loaders = Loaders.build(services.upstreams)
    try:
        profile = await loaders.suppliers.load(grant.supplier_code)
        if profile is None:
            return _not_found()
        listed = await loaders.bank_documents.load(profile.credit_code)
    except UpstreamError as exc:
        logger.warning("document download: %s", exc.message)
        return _unavailable()
    if grant.doc_id not in {doc.doc_id for doc in listed}:
        return _not_found()

    stack = contextlib.AsyncExitStack()
    try:
        upstream = await stack.enter_async_context(services.upstreams.webank.document_pdf(grant.doc_id))
    except UpstreamResponseError as exc:
        await stack.aclose()
        if exc.status == 404:
            return _not_found()
        logger.warning("document download: %s", exc.message)
        return _unavailable()
    except UpstreamError as exc:
        await stack.aclose()
        logger.warning("document download: %s", exc.message)
        return _unavailable()

    async def chunks() -> AsyncIterator[bytes]:
        async with stack:
            async for chunk in upstream.content.iter_chunked(CHUNK_BYTES):
                yield chunk

    headers = {
        "Content-Disposition": document_links.content_disposition(grant.filename),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if upstream.content_length is not None:
        headers["Content-Length"] = str(upstream.content_length)
    return StreamingResponse(chunks(), media_type="application/pdf", headers=headers)
