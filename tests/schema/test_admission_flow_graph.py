"""Admission end to end: agree → 开通 (push) → handler → bank notifications, on both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from app_fixtures import Bff

from bff.domain.calendar import add_months, shanghai_date, today_in_shanghai
from bff.models import Admission, Consent

AGREE = """
mutation ($version: String!, $entry: EntryPoint!) {
  agreeToAuthorization(input: {agreementVersion: $version, entryPoint: $entry}) {
    admission { id status entryPoint agreedAt }
    userErrors { code message field }
  }
}
"""
OPEN = "mutation { openFinancing { admission { id status openedAt continueUrl pushPending } pushPending userErrors { code message field } } }"
HANDLER = """
mutation ($name: String!, $phone: String!, $email: String!) {
  submitHandler(input: {name: $name, phone: $phone, email: $email}) {
    registrationUrl pushPending
    admission { status handler { name phone email } continueUrl }
    userErrors { code message field }
  }
}
"""
ADMISSION = """
{ viewer { admission { status continueUrl pushPending rejectionReason reapplyAfter steps { key state }
  creditLimit { total approvedAt validUntil orderLoan { ratio total used available } creditLoan { ratio total used available } } }
  creditLimit { total } } }
"""


async def agree(bff: Bff, code: str = "GD-BOTH", version: str = "2026-01") -> dict[str, Any]:
    result = await bff.query(AGREE, {"version": version, "entry": "FINTECH_HOME_BANNER"}, as_supplier=code)
    payload: dict[str, Any] = result["data"]["agreeToAuthorization"]
    return payload


async def open_financing(bff: Bff, code: str = "GD-BOTH") -> dict[str, Any]:
    result = await bff.query(OPEN, as_supplier=code)
    assert "errors" not in result, result
    payload: dict[str, Any] = result["data"]["openFinancing"]
    return payload


async def submit_handler(bff: Bff, code: str = "GD-BOTH", **fields: str) -> dict[str, Any]:
    variables = {"name": "李经办", "phone": "13800138000", "email": "jingban@example.com"} | fields
    result = await bff.query(HANDLER, variables, as_supplier=code)
    payload: dict[str, Any] = result["data"]["submitHandler"]
    return payload


async def admission(bff: Bff, code: str = "GD-BOTH") -> dict[str, Any] | None:
    result = await bff.query(ADMISSION, as_supplier=code)
    assert "errors" not in result, result
    value: dict[str, Any] | None = result["data"]["viewer"]["admission"]
    return value


def credit_code_of(bff: Bff, code: str = "GD-BOTH") -> str:
    return next(s.credit_code for s in bff.sandbox.state.seed.suppliers if s.code == code)


async def opened_and_registering(bff: Bff) -> None:
    await agree(bff)
    assert (await open_financing(bff))["pushPending"] is False
    assert (await submit_handler(bff))["userErrors"] == []


# --- agree ---------------------------------------------------------------------------------------------


async def test_agreeing_records_the_consent_and_starts_an_admission(bff: Bff) -> None:
    # when
    first = await agree(bff)
    again = await agree(bff)
    # then
    assert first["userErrors"] == []
    assert first["admission"]["status"] == "AGREED"
    assert first["admission"]["entryPoint"] == "FINTECH_HOME_BANNER"
    assert again["admission"]["id"] == first["admission"]["id"]
    consents = await Consent.filter(supplier_code="GD-BOTH")
    assert len(consents) == 1
    assert consents[0].agreement_version == "2026-01"
    assert consents[0].ip == "127.0.0.1"
    assert consents[0].user_agent  # the HTTP client's User-Agent


async def test_an_ineligible_supplier_cannot_agree_and_is_told_why(bff: Bff) -> None:
    payload = await agree(bff, code="XZ-FAR")
    assert payload["admission"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["NOT_ELIGIBLE"]
    assert "西藏" in payload["userErrors"][0]["message"]
    assert await Admission.filter(supplier_code="XZ-FAR").count() == 0


@pytest.mark.parametrize("version", ["", " ", "x" * 33, "v1;drop"])
async def test_a_malformed_agreement_version_is_invalid_input(bff: Bff, version: str) -> None:
    payload = await agree(bff, version=version)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("INVALID_INPUT", "agreementVersion")]
    assert await Admission.all().count() == 0


async def test_concurrent_double_clicks_make_one_admission(bff: Bff) -> None:
    results = await asyncio.gather(*(agree(bff) for _ in range(5)))
    assert len({r["admission"]["id"] for r in results}) == 1
    assert await Admission.filter(supplier_code="GD-BOTH").count() == 1


# --- open (开通) ----------------------------------------------------------------------------------------


async def test_opening_before_agreeing_is_refused(bff: Bff) -> None:
    payload = await open_financing(bff)
    assert [e["code"] for e in payload["userErrors"]] == ["AGREEMENT_REQUIRED"]
    assert bff.sandbox.state.supplier_pushes() == ()


async def test_opening_pushes_profile_and_24_month_statistics_once(bff: Bff) -> None:
    # given
    await agree(bff)
    # when
    first = await open_financing(bff)
    second = await open_financing(bff)
    # then
    assert first["userErrors"] == []
    assert second["userErrors"] == []
    assert first["admission"]["status"] == "OPENED"
    assert first["pushPending"] is False
    pushes = bff.sandbox.state.supplier_pushes()
    assert len(pushes) == 1
    push = pushes[0]
    assert push.supplier.credit_code == credit_code_of(bff)
    assert (push.supplier.province, push.supplier.city) == ("广东省", "深圳市")
    # the bank's pages come only after the handler form (the manual's order)
    assert first["admission"]["continueUrl"] is None
    # the statistics, recomputed here from the seed
    today = today_in_shanghai()
    start = add_months(today.replace(day=1), -23)
    seed = bff.sandbox.state.seed
    created = [
        (shanghai_date(o.created_at), o.amount, o.buyer_name)
        for o in seed.mall_orders
        if o.supplier_code == "GD-BOTH"
    ]
    created += [
        (shanghai_date(o.gmt_create), o.pay_amount, o.buyer_company_name)
        for o in seed.mro_orders
        if o.supplier_code == "GD-BOTH"
    ]
    in_window = [row for row in created if row[0] >= start]
    assert len(push.months) == 24
    assert push.months[-1].month == f"{today.year:04d}-{today.month:02d}"
    assert sum(m.order_count for m in push.months) == len(in_window)
    assert sum((m.order_amount for m in push.months), Decimal(0)) == sum(
        (row[1] for row in in_window), Decimal(0)
    )
    assert push.buyers == len({row[2] for row in in_window})
    assert sum((m.settled_amount for m in push.months), Decimal(0)) > 0


async def test_an_invalid_credit_code_is_never_pushed(bff: Bff) -> None:
    await agree(bff, code="BAD-CREDIT")
    payload = await open_financing(bff, code="BAD-CREDIT")
    assert [e["code"] for e in payload["userErrors"]] == ["INVALID_CREDIT_CODE"]
    assert payload["admission"]["status"] == "AGREED"
    assert bff.sandbox.state.supplier_pushes() == ()


async def test_webank_down_during_open_then_back_delivers_exactly_one_push(bff: Bff) -> None:
    # given
    await agree(bff)
    bff.sandbox.state.set_webank_down(True)
    try:
        # when
        payload = await open_financing(bff)
        # then: the supplier's click succeeded, the hand-over waits
        assert payload["userErrors"] == []
        assert payload["admission"]["status"] == "OPENED"
        assert payload["pushPending"] is True
        assert payload["admission"]["continueUrl"] is None
    finally:
        bff.sandbox.state.set_webank_down(False)
    # when: the background worker retries after its backoff
    for _ in range(100):
        current = await admission(bff)
        if current and not current["pushPending"]:
            break
        await asyncio.sleep(0.1)
    # then: pushed once; the bank's pages still wait for the handler form
    assert current is not None
    assert current["pushPending"] is False
    assert len(bff.sandbox.state.supplier_pushes()) == 1
    assert current["continueUrl"] is None
    assert (await submit_handler(bff))["registrationUrl"]


# --- handler (经办人) ------------------------------------------------------------------------------------


async def test_the_handler_form_before_opening_is_refused(bff: Bff) -> None:
    await agree(bff)
    payload = await submit_handler(bff)
    assert [e["code"] for e in payload["userErrors"]] == ["FINANCING_NOT_OPENED"]


async def test_bad_handler_fields_are_reported_per_field_and_change_nothing(bff: Bff) -> None:
    await agree(bff)
    await open_financing(bff)
    payload = await submit_handler(bff, name=" ", phone="12345", email="not-an-email")
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", "name"),
        ("INVALID_INPUT", "phone"),
        ("INVALID_INPUT", "email"),
    ]
    assert (await admission(bff) or {})["status"] == "OPENED"


async def test_submitting_the_handler_returns_the_registration_url_once(bff: Bff) -> None:
    # given
    await agree(bff)
    await open_financing(bff)
    # when
    first = await submit_handler(bff, phone="+86 139-0013-9000")
    again = await submit_handler(bff, phone="13900139000")
    # then
    assert first["userErrors"] == []
    assert first["registrationUrl"]
    assert again["registrationUrl"] == first["registrationUrl"]
    assert first["admission"]["status"] == "REGISTERING"
    assert first["admission"]["handler"] == {
        "name": "李经办",
        "phone": "13900139000",
        "email": "jingban@example.com",
    }
    # re-entering the product now shows where to continue at the bank
    assert first["admission"]["continueUrl"] == first["registrationUrl"]
    handler_posts = [c for c in bff.upstream_calls("webank") if c.endswith("/handler")]
    assert len(handler_posts) == 1


# --- bank notifications ------------------------------------------------------------------------------------


async def test_limit_approved_before_realname_verified_ends_approved_with_the_40_60_split(bff: Bff) -> None:
    # given
    await opened_and_registering(bff)
    credit_code = credit_code_of(bff)
    valid_until = (today_in_shanghai() + timedelta(days=365)).isoformat()
    # when: the decision arrives first, the verification late
    approved = await bff.notify(
        "limit.approved",
        {
            "credit_code": credit_code,
            "total": "500000.01",
            "order_ratio": "0.4",
            "credit_ratio": "0.6",
            "valid_until": valid_until,
        },
    )
    late = await bff.notify("realname.verified", {"credit_code": credit_code})
    # then
    assert approved == (200, {"code": "SUCCESS"})
    assert late == (200, {"code": "SUCCESS"})
    current = await admission(bff)
    assert current is not None
    assert current["status"] == "APPROVED"
    assert current["continueUrl"] is None
    assert current["creditLimit"]["total"] == "500000.01"
    assert current["creditLimit"]["validUntil"] == valid_until
    assert current["creditLimit"]["orderLoan"] == {
        "ratio": "0.4",
        "total": "200000.00",
        "used": "0.00",
        "available": "200000.00",
    }
    assert current["creditLimit"]["creditLoan"] == {
        "ratio": "0.6",
        "total": "300000.01",
        "used": "0.00",
        "available": "300000.01",
    }
    assert [s["state"] for s in current["steps"]] == ["DONE"] * 5


async def test_a_rejection_blocks_reapplying_until_the_window_ends(bff: Bff) -> None:
    # given
    await opened_and_registering(bff)
    reapply_after = (today_in_shanghai() + timedelta(days=90)).isoformat()
    await bff.notify("realname.verified", {"credit_code": credit_code_of(bff)})
    await bff.notify(
        "limit.rejected",
        {
            "credit_code": credit_code_of(bff),
            "reason": "近12个月结算金额不足",
            "reapply_after": reapply_after,
        },
    )
    # when
    rejected = await admission(bff)
    too_early = await agree(bff)
    # then
    assert rejected is not None
    assert (rejected["status"], rejected["rejectionReason"], rejected["reapplyAfter"]) == (
        "REJECTED",
        "近12个月结算金额不足",
        reapply_after,
    )
    assert rejected["creditLimit"] is None
    assert [e["code"] for e in too_early["userErrors"]] == ["REAPPLY_WINDOW"]
    assert [e["code"] for e in (await open_financing(bff))["userErrors"]] == ["REAPPLY_WINDOW"]
    handler_refused = await submit_handler(bff)
    assert [e["code"] for e in handler_refused["userErrors"]] == ["REAPPLY_WINDOW"]
    assert handler_refused["registrationUrl"] is None
    assert reapply_after[:4] in too_early["userErrors"][0]["message"]  # the date is in the message
    assert await Admission.filter(supplier_code="GD-BOTH").count() == 1
    assert len(bff.sandbox.state.supplier_pushes()) == 1

    # when: the window has passed
    await Admission.filter(supplier_code="GD-BOTH").update(reapply_after=today_in_shanghai())
    again = await agree(bff)
    # then: a new admission; the rejected one stays in history
    assert again["userErrors"] == []
    assert again["admission"]["status"] == "AGREED"
    assert await Admission.filter(supplier_code="GD-BOTH").count() == 2
    assert await Admission.filter(supplier_code="GD-BOTH", is_current=False, status="REJECTED").count() == 1


async def test_a_replayed_notification_changes_nothing(bff: Bff) -> None:
    await opened_and_registering(bff)
    data = {
        "credit_code": credit_code_of(bff),
        "total": "100000.00",
        "order_ratio": "0.4",
        "credit_ratio": "0.6",
        "valid_until": None,
    }
    first = await bff.notify("limit.approved", data, event_id="evt-1")
    replay = await bff.notify("limit.approved", data | {"total": "999999.00"}, event_id="evt-1")
    assert first == replay == (200, {"code": "SUCCESS"})
    current = await admission(bff)
    assert current is not None
    assert current["creditLimit"]["total"] == "100000.00"
