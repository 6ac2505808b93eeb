"""Per-request DataLoaders: every upstream read goes through one, so a level of a query costs one batch.

Build a fresh `Loaders` for every HTTP request and for every subscription event: a loader caches what it
loaded for its whole life, and aiodataloader binds the event loop it was built on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast, overload

from bff.integrations.upstreams import Upstreams
from bff.loaders.bank import (
    BankAccountsLoader,
    BankDocumentsLoader,
    BankLoanByNoLoader,
    CreditFinancingUrlLoader,
    PayoffQuoteLoader,
    RepaymentUrlLoader,
    TransactionWindowLoader,
    TransactionWindowRequest,
)
from bff.loaders.orders import OrderByKeyLoader, OrderWindow, OrderWindowLoader, OrderWindowRequest
from bff.loaders.records import (
    CreditLimitByAdmissionLoader,
    CurrentAdmissionBySupplierLoader,
    LoanByIdLoader,
    LoanByNoLoader,
    LoanOrdersByLoanLoader,
    LoanOrdersByOrderKeyLoader,
    LoanUsageBySupplierLoader,
    OrderClaimByOrderKeyLoader,
    RepaymentsByLoanLoader,
)
from bff.loaders.suppliers import (
    MallFulfilmentByCodeLoader,
    MroFulfilmentByCodeLoader,
    SupplierByCodeLoader,
)

__all__ = ["Loaders", "OrderWindow", "OrderWindowRequest", "TransactionWindowRequest"]


T = TypeVar("T")


class _Built(Generic[T]):
    """A loader built on first use: a request builds only the loaders it needs (most use a few of them)."""

    def __init__(self, build: Callable[[Upstreams], T]) -> None:
        self._build = build
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, loaders: None, owner: type) -> _Built[T]: ...
    @overload
    def __get__(self, loaders: Loaders, owner: type) -> T: ...
    def __get__(self, loaders: Loaders | None, owner: type) -> _Built[T] | T:
        if loaders is None:
            return self
        built: dict[str, Any] = loaders.__dict__
        try:
            return cast(T, built[self._name])
        except KeyError:
            value = built[self._name] = self._build(loaders.upstreams)
            return value


class Loaders:
    """One request's (or one subscription event's) loaders, each built when first used."""

    def __init__(self, upstreams: Upstreams) -> None:
        self.upstreams = upstreams

    @classmethod
    def build(cls, upstreams: Upstreams) -> Loaders:
        return cls(upstreams)

    suppliers = _Built(lambda u: SupplierByCodeLoader(u.mall))
    mall_fulfilment = _Built(lambda u: MallFulfilmentByCodeLoader(u.mall))
    mro_fulfilment = _Built(lambda u: MroFulfilmentByCodeLoader(u.mro_shop))
    bank_loans = _Built(lambda u: BankLoanByNoLoader(u.webank))
    payoff_quotes = _Built(lambda u: PayoffQuoteLoader(u.webank))
    credit_financing_urls = _Built(lambda u: CreditFinancingUrlLoader(u.webank))
    repayment_urls = _Built(lambda u: RepaymentUrlLoader(u.webank))
    bank_accounts = _Built(lambda u: BankAccountsLoader(u.webank))
    transaction_windows = _Built(lambda u: TransactionWindowLoader(u.webank))
    bank_documents = _Built(lambda u: BankDocumentsLoader(u.webank))
    admissions = _Built(lambda _u: CurrentAdmissionBySupplierLoader())
    credit_limits = _Built(lambda _u: CreditLimitByAdmissionLoader())
    loan_orders_by_order = _Built(lambda _u: LoanOrdersByOrderKeyLoader())
    loan_orders_by_loan = _Built(lambda _u: LoanOrdersByLoanLoader())
    order_claims = _Built(lambda _u: OrderClaimByOrderKeyLoader())
    loans = _Built(lambda _u: LoanByNoLoader())
    loans_by_id = _Built(lambda _u: LoanByIdLoader())
    repayments_by_loan = _Built(lambda _u: RepaymentsByLoanLoader())
    loan_usage = _Built(lambda _u: LoanUsageBySupplierLoader())

    @property
    def orders(self) -> OrderByKeyLoader:
        built: dict[str, Any] = self.__dict__
        if "orders" not in built:
            built["orders"] = OrderByKeyLoader(self.upstreams.mall, self.upstreams.mro_shop)
        return cast(OrderByKeyLoader, built["orders"])

    @property
    def order_windows(self) -> OrderWindowLoader:
        # shares `orders`: the orders a window lists are primed there, so a later load by key is free
        built: dict[str, Any] = self.__dict__
        if "order_windows" not in built:
            built["order_windows"] = OrderWindowLoader(
                self.upstreams.mall, self.upstreams.mro_shop, self.orders
            )
        return cast(OrderWindowLoader, built["order_windows"])
