"""Platform records for tests, with defaults that make a valid row: name only what the test is about.

loan = await create_loan("WBL-1", status=LoanStatus.DISBURSED, outstanding_principal_fen=5_000_00)
admission = await create_admission("GD-BOTH", status=AdmissionStatus.APPROVED, credit_code=code)
"""

from __future__ import annotations

from datetime import UTC, datetime

from bff.models import (
    Admission,
    AdmissionStatus,
    Consent,
    EntryPoint,
    Loan,
    LoanKind,
    LoanStatus,
)

AGREED_AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


async def create_consent(supplier_code: str = "GD-BOTH", **fields: object) -> Consent:
    values: dict[str, object] = {
        "supplier_code": supplier_code,
        "agreement_version": "2026-01",
        "entry_point": EntryPoint.FINTECH_HOME_BANNER,
        "agreed_at": AGREED_AT,
        "user_id": "u-1",
        "ip": "127.0.0.1",
        "user_agent": "test",
    }
    return await Consent.create(**(values | fields))


async def create_admission(supplier_code: str = "GD-BOTH", **fields: object) -> Admission:
    """The supplier's current admission (AGREED unless `status` says otherwise), with its consent."""
    consent = await create_consent(supplier_code, agreed_at=fields.get("agreed_at", AGREED_AT))
    values: dict[str, object] = {
        "supplier_code": supplier_code,
        "status": AdmissionStatus.AGREED,
        "entry_point": consent.entry_point,
        "consent": consent,
        "agreed_at": consent.agreed_at,
    }
    return await Admission.create(**(values | fields))


async def create_loan(loan_no: str = "WBL-1", supplier_code: str = "GD-BOTH", **fields: object) -> Loan:
    """A mirrored loan (an ORDER loan in PROCESSING of 1,000.00 unless said otherwise)."""
    values: dict[str, object] = {
        "loan_no": loan_no,
        "supplier_code": supplier_code,
        "kind": LoanKind.ORDER,
        "status": LoanStatus.PROCESSING,
        "amount_fen": 100_000,
        "applied_at": AGREED_AT,
    }
    return await Loan.create(**(values | fields))
