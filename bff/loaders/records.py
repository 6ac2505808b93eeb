"""The BFF's own records, batched the same way as upstream reads: one query per level, not one per row."""

from __future__ import annotations

from collections import defaultdict

from aiodataloader import DataLoader

from bff.domain.records import OrderKey
from bff.domain.statuses import LIVE_LOAN_STATUSES, LoanKind
from bff.models import Admission, CreditLimit, Loan, LoanOrder, OrderClaim, Repayment


class CurrentAdmissionBySupplierLoader(DataLoader[str, Admission | None]):
    async def batch_load_fn(self, codes: list[str]) -> list[Admission | None]:
        rows = await Admission.filter(current_key__in=codes)
        found = {row.supplier_code: row for row in rows}
        return [found.get(code) for code in codes]


class CreditLimitByAdmissionLoader(DataLoader[int, CreditLimit | None]):
    async def batch_load_fn(self, admission_ids: list[int]) -> list[CreditLimit | None]:
        rows = await CreditLimit.filter(admission_id__in=admission_ids)
        found = {row.admission_id: row for row in rows}
        return [found.get(admission_id) for admission_id in admission_ids]


class LoanOrdersByOrderKeyLoader(DataLoader[OrderKey, list[LoanOrder]]):
    """Every loan line that financed an order, with its loan fetched alongside."""

    async def batch_load_fn(self, keys: list[OrderKey]) -> list[list[LoanOrder]]:
        ids = {key.id for key in keys}
        rows = await LoanOrder.filter(order_id__in=ids).select_related("loan")
        found: dict[OrderKey, list[LoanOrder]] = defaultdict(list)
        for row in rows:
            found[OrderKey(row.source, row.order_id)].append(row)
        return [found.get(key, []) for key in keys]


class OrderClaimByOrderKeyLoader(DataLoader[OrderKey, OrderClaim | None]):
    """An order's claim (at most one: UNIQUE (source, order_id)), with its application and loan alongside."""

    async def batch_load_fn(self, keys: list[OrderKey]) -> list[OrderClaim | None]:
        ids = {key.id for key in keys}
        rows = await OrderClaim.filter(order_id__in=ids).select_related("application", "loan")
        found = {OrderKey(row.source, row.order_id): row for row in rows}
        return [found.get(key) for key in keys]


class LoanOrdersByLoanLoader(DataLoader[int, list[LoanOrder]]):
    async def batch_load_fn(self, loan_ids: list[int]) -> list[list[LoanOrder]]:
        rows = await LoanOrder.filter(loan_id__in=loan_ids).order_by("id")
        found: dict[int, list[LoanOrder]] = defaultdict(list)
        for row in rows:
            found[row.loan_id].append(row)
        return [found.get(loan_id, []) for loan_id in loan_ids]


class LoanByNoLoader(DataLoader[str, Loan | None]):
    async def batch_load_fn(self, loan_nos: list[str]) -> list[Loan | None]:
        found = {row.loan_no: row for row in await Loan.filter(loan_no__in=loan_nos)}
        return [found.get(loan_no) for loan_no in loan_nos]


class LoanByIdLoader(DataLoader[int, Loan | None]):
    async def batch_load_fn(self, loan_ids: list[int]) -> list[Loan | None]:
        found = {row.id: row for row in await Loan.filter(id__in=loan_ids)}
        return [found.get(loan_id) for loan_id in loan_ids]


class RepaymentsByLoanLoader(DataLoader[int, list[Repayment]]):
    """A loan's repayments, oldest first."""

    async def batch_load_fn(self, loan_ids: list[int]) -> list[list[Repayment]]:
        rows = await Repayment.filter(loan_id__in=loan_ids).order_by("paid_at", "id")
        found: dict[int, list[Repayment]] = defaultdict(list)
        for row in rows:
            found[row.loan_id].append(row)
        return [found.get(loan_id, []) for loan_id in loan_ids]


class LoanUsageBySupplierLoader(DataLoader[str, dict[LoanKind, int]]):
    """Outstanding principal (fen) of a supplier's live loans, per kind: what its limit shares have used."""

    async def batch_load_fn(self, codes: list[str]) -> list[dict[LoanKind, int]]:
        rows = await Loan.filter(supplier_code__in=codes, status__in=LIVE_LOAN_STATUSES)
        used: dict[str, dict[LoanKind, int]] = {code: dict.fromkeys(LoanKind, 0) for code in codes}
        for loan in rows:
            used[loan.supplier_code][loan.kind] += loan.outstanding_principal_fen
        return [used[code] for code in codes]
