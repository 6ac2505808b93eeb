"""`Document.downloadUrl`: signed for the viewer's supplier, short-lived, streamed from the bank as a PDF."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from urllib.parse import quote

import pypdf
from app_fixtures import JWT_SECRET, Bff
from factories import create_loan

from bff import document_links

DOCUMENTS = """query ($kinds: [DocumentKind!]) { viewer { documents(kinds: $kinds, first: 100) {
  edges { node { kind title loanNo period downloadUrl } } } } }"""


async def links(bff: Bff, kind: str, as_supplier: str = "GD-BOTH") -> list[dict[str, str]]:
    result = await bff.query(DOCUMENTS, {"kinds": [kind]}, as_supplier=as_supplier)
    assert "errors" not in result, result
    return [e["node"] for e in result["data"]["viewer"]["documents"]["edges"]]


async def download(
    bff: Bff, url: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    async with bff.http.get(bff.url + url, headers=headers or {}) as response:
        return response.status, dict(response.headers), await response.read()


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[-1]


async def test_a_link_downloads_the_banks_pdf_with_its_chinese_name(bff: Bff) -> None:
    await create_loan("WBL0001", status="DISBURSED", applied_at=datetime.now(UTC))
    contract = next(d for d in await links(bff, "LOAN_CONTRACT") if d["loanNo"] == "WBL0001")
    status, headers, body = await download(bff, contract["downloadUrl"])
    assert status == 200
    assert headers["Content-Type"] == "application/pdf"
    name = "WBL0001-借款合同.pdf"
    assert f"filename*=UTF-8''{quote(name)}" in headers["Content-Disposition"]
    assert headers["Content-Disposition"].startswith('attachment; filename="WBL0001-')
    reader = pypdf.PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 2
    assert "借款合同" in reader.pages[0].extract_text()
    assert "100000.00" in reader.pages[0].extract_text()


async def test_an_expired_link_is_404(bff: Bff) -> None:
    realname = (await links(bff, "REALNAME_AGREEMENT"))[0]
    grant = document_links.verify(JWT_SECRET, token_of(realname["downloadUrl"]), time.time())
    assert grant is not None
    assert grant.expires_at - time.time() <= bff.settings.document_url_ttl
    # the clock moved past the expiry: the same grant, signed as the BFF would have signed it earlier
    expired = document_links.sign(
        JWT_SECRET,
        document_links.DocumentGrant(grant.doc_id, grant.supplier_code, int(time.time()) - 1, grant.filename),
    )
    assert document_links.verify(JWT_SECRET, token_of(realname["downloadUrl"]), grant.expires_at) is None
    status, _, _ = await download(bff, f"/documents/{expired}")
    assert status == 404


async def test_a_link_is_bound_to_its_supplier(bff: Bff) -> None:
    realname = (await links(bff, "REALNAME_AGREEMENT"))[0]
    grant = document_links.verify(JWT_SECRET, token_of(realname["downloadUrl"]), time.time())
    assert grant is not None
    # a well-signed token naming another supplier (who has no such document at the bank)
    theirs = document_links.sign(
        JWT_SECRET, document_links.DocumentGrant(grant.doc_id, "HN-MALL", grant.expires_at, grant.filename)
    )
    assert (await download(bff, f"/documents/{theirs}"))[0] == 404
    # GD-BOTH's link opened by a client signed in as another supplier
    other = {"Authorization": f"Bearer {bff.token('HN-MALL')}"}
    assert (await download(bff, realname["downloadUrl"], other))[0] == 404
    mine = {"Authorization": f"Bearer {bff.token('GD-BOTH')}"}
    assert (await download(bff, realname["downloadUrl"], mine))[0] == 200


async def test_a_forged_or_garbled_link_is_404(bff: Bff) -> None:
    realname = (await links(bff, "REALNAME_AGREEMENT"))[0]
    payload, signature = token_of(realname["downloadUrl"]).split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    forged = document_links.sign(
        "another-secret-0123456789abcdef-0123456789",
        document_links.DocumentGrant("D000", "GD-BOTH", int(time.time()) + 60, "x.pdf"),
    )
    for token in (f"{payload}.{flipped}", forged, payload, "garbage", "a.b"):
        assert (await download(bff, f"/documents/{token}"))[0] == 404, token


async def test_the_bank_down_is_503(bff: Bff) -> None:
    realname = (await links(bff, "REALNAME_AGREEMENT"))[0]
    bff.sandbox.state.set_webank_down(True)
    try:
        status, _, _ = await download(bff, realname["downloadUrl"])
    finally:
        bff.sandbox.state.set_webank_down(False)
    assert status == 503


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name() -> None:
    value = document_links.content_disposition('第1期本息归还凭证"; x.pdf')
    assert value.startswith('attachment; filename="')
    assert value.count('"') == 2
    assert "filename*=UTF-8''%E7%AC%AC1%E6%9C%9F" in value
