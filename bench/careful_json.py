"""The baseline: what a careful engineer writes by hand to serve the benchmark's three pages as JSON.

    BFF_…=… .venv/bin/python bench/careful_json.py --port 8001

The same app as `bff serve` (configured by the same `BFF_*` variables, one uvicorn process) plus three
routes, `/json/orders?first=N`, `/json/loans` and `/json/dashboard`. Each makes the same reads as the graph
through the same per-request loaders — independent reads gathered, one `load_many` per list, then a plain
loop — and answers exactly the graph's `data` for the documents below, serialized by `dump`: `bench/run.py`
checks the bytes are equal before it measures anything.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bff.app import create_app
from bff.auth import viewer_from_authorization
from bff.config import load_settings
from bff.context import Context, Services
from bff.domain.bank_records import BankLoan
from bff.domain.calendar import SHANGHAI
from bff.domain.financeability import financeable_amount, is_financeable
from bff.domain.money import fen_to_yuan, format_yuan
from bff.domain.statuses import InstallmentStatus
from bff.models import Loan
from bff.resolvers.admission import admission_limit, current_admission, limit_split
from bff.resolvers.financing import ratios
from bff.resolvers.loans import financed_by, list_loans
from bff.resolvers.order_financing import financing_of_orders
from bff.resolvers.orders import list_orders
from bff.resolvers.suppliers import require_profile, supplier_eligibility

ORDERS = """query Orders($first: Int!) { viewer { orders(first: $first) { edges { node {
  orderNo source status amount buyerName createdAt contract { contractNo amount signedAt }
  financeableAmount loans { loanNo } } } } } }"""

LOANS = """query Loans { viewer { loans(first: 20) { totalCount edges { node {
  loanNo kind status amount outstandingPrincipal annualRate termMonths appliedAt disbursedAt
  installments { period dueDate principal interest status } } } } } }"""

DASHBOARD = """query Dashboard { viewer { name eligibility { eligible reasons { code } }
  admission { status } creditLimit { total orderLoan { total available } creditLoan { total available } }
  orders(first: 50) { totalCount edges { node { orderNo source status amount createdAt
    financingStatus financeable financeableAmount financedAmount loans { loanNo } } } }
  loans(first: 20) { totalCount edges { node { loanNo kind status amount outstandingPrincipal
    installments { period dueDate principal interest status } } } } } }"""


def dump(data: object) -> bytes:
    """The one serialization both sides are compared in."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(SHANGHAI).isoformat()


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format_yuan(value)


def _name(value: enum.Enum) -> str:
    return value.name


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _status(raw: str) -> str:
    try:
        return InstallmentStatus(raw).name
    except ValueError:
        return InstallmentStatus.PENDING.name


def _installments(bank: BankLoan | None) -> list[dict[str, Any]]:
    if bank is None:
        return []
    return [
        {
            "period": item.period,
            "dueDate": item.due_date.isoformat(),
            "principal": format_yuan(item.principal),
            "interest": format_yuan(item.interest),
            "status": _status(item.status),
        }
        for item in bank.plan
    ]


async def orders(context: Context, first: int) -> dict[str, Any]:
    page = await list_orders(
        context, context.viewer.supplier_code, source=None, statuses=None, first=first, after=None
    )
    records = [edge.order for edge in page.edges]
    financing = await financing_of_orders(context, records)  # one load_many per table
    shares = ratios(context)
    edges = []
    for order, each in zip(records, financing, strict=True):
        contract = order.contract
        edges.append(
            {
                "node": {
                    "orderNo": order.order_no,
                    "source": _name(order.source),
                    "status": _name(order.status),
                    "amount": format_yuan(order.amount),
                    "buyerName": order.buyer_name,
                    "createdAt": _time(order.created_at),
                    "contract": None
                    if contract is None
                    else {
                        "contractNo": contract.contract_no,
                        "amount": _money(contract.amount),
                        "signedAt": _time(contract.signed_at),
                    },
                    "financeableAmount": format_yuan(
                        financeable_amount(order, shares, financed_by(each.loan_lines), each.status)
                    ),
                    "loans": [{"loanNo": line.loan.loan_no} for line in each.loan_lines],
                }
            }
        )
    return {"viewer": {"orders": {"edges": edges}}}


async def _loan_page(context: Context) -> tuple[list[Loan], int, list[BankLoan | None]]:
    page = await list_loans(
        context,
        context.viewer.supplier_code,
        statuses=None,
        kinds=None,
        applied_from=None,
        applied_to=None,
        first=20,
        after=None,
    )
    rows = [edge.loan for edge in page.edges]
    banks = await context.loaders.bank_loans.load_many([row.loan_no for row in rows])
    return rows, page.total_count, list(banks)


def _rate(row: Loan, bank: BankLoan | None) -> str | None:
    # as the graph: what `loan.disbursed` told, else (a loan never disbursed) the bank's
    rate = row.annual_rate if row.annual_rate is not None else None if bank is None else bank.annual_rate
    return None if rate is None else str(rate.normalize())


def _term(row: Loan, bank: BankLoan | None) -> int | None:
    return row.term_months if row.term_months is not None else None if bank is None else bank.term_months


async def loans(context: Context) -> dict[str, Any]:
    rows, total, banks = await _loan_page(context)
    edges = [
        {
            "node": {
                "loanNo": row.loan_no,
                "kind": _name(row.kind),
                "status": _name(row.status),
                "amount": format_yuan(fen_to_yuan(row.amount_fen)),
                "outstandingPrincipal": format_yuan(fen_to_yuan(row.outstanding_principal_fen)),
                "annualRate": _rate(row, bank),
                "termMonths": _term(row, bank),
                "appliedAt": _time(row.applied_at),
                "disbursedAt": _time(row.disbursed_at),
                "installments": _installments(bank),
            }
        }
        for row, bank in zip(rows, banks, strict=True)
    ]
    return {"viewer": {"loans": {"totalCount": total, "edges": edges}}}


async def dashboard(context: Context) -> dict[str, Any]:
    code = context.viewer.supplier_code
    profile, eligibility, admission, page, loan_page = await asyncio.gather(
        require_profile(context, code),
        supplier_eligibility(context, code),
        current_admission(context, code),
        list_orders(context, code, source=None, statuses=None, first=50, after=None),
        _loan_page(context),
    )
    limit = None if admission is None else await admission_limit(context, admission)
    split = None if limit is None else await limit_split(context, limit)
    records = [edge.order for edge in page.edges]
    financing = await financing_of_orders(context, records)
    shares = ratios(context)
    order_edges = []
    for order, each in zip(records, financing, strict=True):
        financed = financed_by(each.loan_lines)
        order_edges.append(
            {
                "node": {
                    "orderNo": order.order_no,
                    "source": _name(order.source),
                    "status": _name(order.status),
                    "amount": format_yuan(order.amount),
                    "createdAt": _time(order.created_at),
                    "financingStatus": _name(each.status),
                    "financeable": is_financeable(order, each.status),
                    "financeableAmount": format_yuan(
                        financeable_amount(order, shares, financed, each.status)
                    ),
                    "financedAmount": format_yuan(financed),
                    "loans": [{"loanNo": line.loan.loan_no} for line in each.loan_lines],
                }
            }
        )
    rows, total, banks = loan_page
    loan_edges = [
        {
            "node": {
                "loanNo": row.loan_no,
                "kind": _name(row.kind),
                "status": _name(row.status),
                "amount": format_yuan(fen_to_yuan(row.amount_fen)),
                "outstandingPrincipal": format_yuan(fen_to_yuan(row.outstanding_principal_fen)),
                "installments": _installments(bank),
            }
        }
        for row, bank in zip(rows, banks, strict=True)
    ]
    credit_limit = None
    if limit is not None and split is not None:
        credit_limit = {
            "total": format_yuan(fen_to_yuan(limit.total_fen)),
            "orderLoan": {
                "total": format_yuan(split.order_loan.total),
                "available": format_yuan(split.order_loan.available),
            },
            "creditLoan": {
                "total": format_yuan(split.credit_loan.total),
                "available": format_yuan(split.credit_loan.available),
            },
        }
    return {
        "viewer": {
            "name": profile.name,
            "eligibility": {
                "eligible": eligibility.eligible,
                "reasons": [{"code": _name(reason.code)} for reason in eligibility.reasons],
            },
            "admission": None if admission is None else {"status": _name(admission.status)},
            "creditLimit": credit_limit,
            "orders": {"totalCount": page.total_count, "edges": order_edges},
            "loans": {"totalCount": total, "edges": loan_edges},
        }
    }


# the graph documents each route answers, with their variables (`first` comes from the query string)
ROUTES: dict[str, tuple[str, Callable[[Context, Request], Awaitable[dict[str, Any]]]]] = {
    "/json/orders": (ORDERS, lambda context, request: orders(context, int(request.query_params["first"]))),
    "/json/loans": (LOANS, lambda context, _request: loans(context)),
    "/json/dashboard": (DASHBOARD, lambda context, _request: dashboard(context)),
}


def _endpoint(answer: Callable[[Context, Request], Awaitable[dict[str, Any]]]) -> Any:
    async def endpoint(request: Request) -> Response:
        services: Services = request.app.state.services
        settings = services.settings
        viewer = viewer_from_authorization(
            request.headers.get("authorization"), settings.jwt_secret, audience=settings.jwt_audience
        )
        context = Context.build(services, viewer)
        return Response(dump(await answer(context, request)), media_type="application/json")

    return endpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    settings = load_settings()
    app = create_app(settings)
    for path, (_document, answer) in ROUTES.items():
        app.router.routes.append(Route(path, _endpoint(answer)))
    # as `bff serve` runs the graph (`bff.cli._run_app`)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=settings.log_level.lower(), lifespan="on")


if __name__ == "__main__":
    main()
