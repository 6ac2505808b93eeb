"""`bff reconcile`, run for real in a subprocess against the session's sandbox bank."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from app_fixtures import WEBANK_APP_ID, WEBANK_SECRET
from factories import create_admission
from test_cli import _bff

from bff.models import AdmissionStatus, Loan
from bff_sandbox import CreditLimit, RunningSandbox

GD_BOTH_CREDIT_CODE = "91440300MA5314187G"


async def test_reconcile_prints_what_it_repaired_and_a_second_run_nothing(
    tmp_path: Path, db: str, sandbox: RunningSandbox
) -> None:
    # given: GD-BOTH registering at the bank, which approved it and has the seeded loans
    sandbox.state.reset()
    await create_admission(
        status=AdmissionStatus.REGISTERING,
        credit_code=GD_BOTH_CREDIT_CODE,
        opened_at=datetime.now(UTC) - timedelta(days=1),
    )
    sandbox.state.set_limit(
        GD_BOTH_CREDIT_CODE, CreditLimit("APPROVED", Decimal("459000.00"), Decimal("0.4"), Decimal("0.6"))
    )
    settings = {
        "BFF_DATABASE_URL": db,
        "BFF_WEBANK_URL": sandbox.webank_url,
        "BFF_WEBANK_APP_ID": WEBANK_APP_ID,
        "BFF_WEBANK_SECRET": WEBANK_SECRET,
    }

    # when
    first = _bff(tmp_path, "reconcile", "--supplier", "GD-BOTH", **settings)
    second = _bff(tmp_path, "reconcile", **settings)
    nobody = _bff(tmp_path, "reconcile", "--supplier", "HN-MALL", **settings)

    # then
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == "GD-BOTH: 11 repair(s)"
    assert "  repaired LOAN_BACKFILLED WBL0001: ORDER loan of 100000.00 unknown here, recorded" in lines
    assert "reconcile GD-BOTH: LOAN_BACKFILLED WBL0001" in first.stderr  # the INFO log line
    assert second.stdout.splitlines() == ["GD-BOTH: 0 repair(s)"]
    assert nobody.stdout.splitlines() == [
        "HN-MALL: nothing to reconcile: no current admission with a credit code"
    ]
    assert await Loan.filter(supplier_code="GD-BOTH").count() == 2
