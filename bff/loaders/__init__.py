"""Per-request DataLoaders: every upstream read goes through one, so a level of a query costs one batch.

Build a fresh `Loaders` for every HTTP request and for every subscription event: a loader caches what it
loaded for its whole life, and aiodataloader binds the event loop it was built on.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Loaders:
    suppliers: SupplierByCodeLoader
    mall_fulfilment: MallFulfilmentByCodeLoader
    mro_fulfilment: MroFulfilmentByCodeLoader
    orders: OrderByKeyLoader
    order_windows: OrderWindowLoader
    bank_loans: BankLoanByNoLoader
    payoff_quotes: PayoffQuoteLoader
    credit_financing_urls: CreditFinancingUrlLoader
    repayment_urls: RepaymentUrlLoader
    bank_accounts: BankAccountsLoader
    transaction_windows: TransactionWindowLoader
    bank_documents: BankDocumentsLoader
    admissions: CurrentAdmissionBySupplierLoader
    credit_limits: CreditLimitByAdmissionLoader
    loan_orders_by_order: LoanOrdersByOrderKeyLoader
    loan_orders_by_loan: LoanOrdersByLoanLoader
    order_claims: OrderClaimByOrderKeyLoader
    loans: LoanByNoLoader
    loans_by_id: LoanByIdLoader
    repayments_by_loan: RepaymentsByLoanLoader
    loan_usage: LoanUsageBySupplierLoader

    @classmethod
    def build(cls, upstreams: Upstreams) -> Loaders:
        orders = OrderByKeyLoader(upstreams.mall, upstreams.mro_shop)
        return cls(
            suppliers=SupplierByCodeLoader(upstreams.mall),
            mall_fulfilment=MallFulfilmentByCodeLoader(upstreams.mall),
            mro_fulfilment=MroFulfilmentByCodeLoader(upstreams.mro_shop),
            orders=orders,
            order_windows=OrderWindowLoader(upstreams.mall, upstreams.mro_shop, orders),
            bank_loans=BankLoanByNoLoader(upstreams.webank),
            payoff_quotes=PayoffQuoteLoader(upstreams.webank),
            credit_financing_urls=CreditFinancingUrlLoader(upstreams.webank),
            repayment_urls=RepaymentUrlLoader(upstreams.webank),
            bank_accounts=BankAccountsLoader(upstreams.webank),
            transaction_windows=TransactionWindowLoader(upstreams.webank),
            bank_documents=BankDocumentsLoader(upstreams.webank),
            admissions=CurrentAdmissionBySupplierLoader(),
            credit_limits=CreditLimitByAdmissionLoader(),
            loan_orders_by_order=LoanOrdersByOrderKeyLoader(),
            loan_orders_by_loan=LoanOrdersByLoanLoader(),
            order_claims=OrderClaimByOrderKeyLoader(),
            loans=LoanByNoLoader(),
            loans_by_id=LoanByIdLoader(),
            repayments_by_loan=RepaymentsByLoanLoader(),
            loan_usage=LoanUsageBySupplierLoader(),
        )
