"""What the sandbox remembers: the seed, what the bank was told, and every call the upstreams received.

The server runs on its own thread and event loop while tests read counters from theirs, so every
mutation and every read of mutable state happens under one lock; reads hand out immutable copies.

`today` is the sandbox's clock: it starts at the seed's day and only moves forward (`advance(days)`,
`set_today(day)`), one day at a time, calling the day handler (the bank's loan servicing, which debits
the installments due that day) for each new day. The bank's multi-step loan operations (a day's debits, a
repayment on the bank's pages) run under `banking()`, one at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bff_sandbox.data import SHANGHAI, FulfilmentHistory, Loan, MallOrder, MroOrder, Seed, SeedSupplier
from bff_sandbox.messages import MessageGateways
from bff_sandbox.notification_drops import NotificationDrops

MALL = "mall"
MRO = "mro"
WEBANK = "webank"
SYSTEMS = (MALL, MRO, WEBANK)


@dataclass(frozen=True, slots=True)
class RecordedCall:
    system: str  # mall, mro or webank
    method: str
    path: str  # relative to the system's base URL, e.g. "/api/orders"
    query: str  # the decoded query string, "" when there is none


@dataclass(frozen=True, slots=True)
class PushedSupplier:
    code: str
    name: str
    credit_code: str
    province: str
    city: str


@dataclass(frozen=True, slots=True)
class PushedMonth:
    month: str  # "2026-01"
    order_amount: Decimal
    settled_amount: Decimal
    order_count: int


@dataclass(frozen=True, slots=True)
class SupplierPush:
    """One `POST /v1/suppliers/push` the bank accepted; each one opens an application."""

    apply_no: str
    request_id: str
    supplier: PushedSupplier
    months: tuple[PushedMonth, ...]
    buyers: int


@dataclass(frozen=True, slots=True)
class Handler:
    name: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class PushedContract:
    contract_no: str
    amount: Decimal | None
    signed_at: datetime | None


@dataclass(frozen=True, slots=True)
class PushedOrder:
    order_no: str
    source: str  # MALL or MRO
    status: str
    amount: Decimal
    financeable_amount: Decimal
    buyer_name: str
    contract: PushedContract | None


@dataclass(frozen=True, slots=True)
class OrderBatch:
    """One `POST /v1/orders/push` the bank accepted."""

    batch_no: str
    request_id: str
    credit_code: str
    orders: tuple[PushedOrder, ...]


@dataclass(frozen=True, slots=True)
class CreditLimit:
    status: str  # NONE, PENDING, APPROVED or REJECTED
    total: Decimal | None = None
    order_ratio: Decimal | None = None
    credit_ratio: Decimal | None = None
    valid_until: date | None = None
    reapply_after: date | None = None
    reason: str | None = None  # why a limit was REJECTED


NO_LIMIT = CreditLimit("NONE")
PENDING_LIMIT = CreditLimit("PENDING")


@dataclass(frozen=True, slots=True)
class LegalRepresentative:
    """What the applicant typed on the bank's legal-representative page."""

    name: str
    id_number: str
    bank_card: str
    phone: str


# Where an applicant stands on the bank's registration pages (`bff_sandbox.bank_pages`), in order.
STEP_ENTERPRISE = "ENTERPRISE"  # to do: register, log in, verify the enterprise
STEP_LEGAL_REP = "LEGAL_REP"  # to do: verify the legal representative (then realname.verified)
STEP_APPLY = "APPLY"  # to do: apply for a limit
STEP_DONE = "DONE"  # decided: `decision` holds the limit (then limit.approved / limit.rejected)
STEPS = (STEP_ENTERPRISE, STEP_LEGAL_REP, STEP_APPLY, STEP_DONE)


@dataclass(frozen=True, slots=True)
class Application:
    apply_no: str
    credit_code: str
    handler: Handler | None = None
    step: str = STEP_ENTERPRISE
    account_phone: str | None = None
    enterprise_method: str | None = None  # TAX (税务认证) or BUSINESS (工商认证)
    legal_rep: LegalRepresentative | None = None
    decision: CreditLimit | None = None


# Delivery status of a notification the bank sends to the BFF's webhook.
PENDING = "PENDING"
DELIVERED = "DELIVERED"
DROPPED = "DROPPED"  # never delivered: sent while `drop_notifications` was on


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    at: datetime
    url: str
    status_code: int | None  # None when no HTTP answer came (refused, timed out)
    error: str | None  # why it does not count as delivered; None when it does


@dataclass(frozen=True, slots=True)
class SentNotification:
    """One notification the bank sends, retried until the webhook answers SUCCESS."""

    event_id: str
    type: str
    occurred_at: datetime
    data: dict[str, Any]
    body: bytes  # the exact JSON that is signed and posted
    status: str = PENDING  # PENDING, DELIVERED or DROPPED
    attempts: tuple[DeliveryAttempt, ...] = field(default=())
    after: str | None = (
        None  # delivered only once this earlier notification was (keeps a loan's events in order)
    )


@dataclass(frozen=True, slots=True)
class LoanBooking:
    """A loan a person applied for on the bank's financing pages (`bff_sandbox.financing_pages`)."""

    key: str  # the batch number of an order loan, the form token of a credit loan
    loan_no: str
    order_nos: tuple[str, ...] = ()  # the orders ticked for an order loan


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first answer to a request id, replayed byte for byte when the id comes again."""

    status_code: int
    body: bytes


DayHandler = Callable[[date], None]


class SandboxState(NotificationDrops, MessageGateways):
    def __init__(self, seed: Seed) -> None:
        NotificationDrops.__init__(self)
        MessageGateways.__init__(self)
        self.seed = seed
        self._lock = threading.Lock()
        self._banking = threading.RLock()
        self._today = seed.today
        self._day_handler: DayHandler | None = None
        self._funds_short: dict[str, bool] = {}
        self._loan_events: dict[str, str] = {}
        self._repayment_count = 0
        self._repayment_tokens: dict[str, tuple[str, str]] = {}
        self._calls: list[RecordedCall] = []
        self._webank_down = False
        self._order_systems_down: set[str] = set()
        self._responses: dict[str, StoredResponse] = {}
        self._pushes: list[SupplierPush] = []
        self._applications: dict[str, Application] = {}
        self._batches: list[OrderBatch] = []
        self._limits: dict[str, CreditLimit] = {}
        self._loans: dict[str, Loan] = {}
        self._bookings: dict[str, LoanBooking] = {}
        self._notifications: dict[str, SentNotification] = {}
        self._webhook_url: str | None = None
        self.reset()
        self.suppliers: dict[str, SeedSupplier] = {s.code: s for s in seed.suppliers}
        self.mall_orders: dict[int, MallOrder] = {o.id: o for o in seed.mall_orders}
        self.mro_orders: dict[int, MroOrder] = {o.trade_order_id: o for o in seed.mro_orders}
        self.mall_fulfilment: dict[str, FulfilmentHistory] = {
            f.supplier_code: f for f in seed.mall_fulfilment
        }
        self.mro_fulfilment: dict[str, FulfilmentHistory] = {f.supplier_code: f for f in seed.mro_fulfilment}

    # --- the sandbox clock ---

    @property
    def today(self) -> date:
        with self._lock:
            return self._today

    def now(self) -> datetime:
        """The sandbox's today at the wall clock's time of day, in Shanghai (when the bank books things)."""
        return datetime.combine(self.today, datetime.now(SHANGHAI).replace(microsecond=0).timetz())

    def set_day_handler(self, handler: DayHandler | None) -> None:
        """What runs on each new day the clock enters (the bank's automatic debits)."""
        with self._lock:
            self._day_handler = handler

    def set_today(self, day: date) -> date:
        """Move the clock forward to `day`, running every day in between; moving it back is a ValueError."""
        with self._banking:
            if day < self.today:
                raise ValueError(f"the sandbox clock only moves forward (today is {self.today})")
            while self.today < day:
                with self._lock:
                    self._today += timedelta(days=1)
                    new_day, handler = self._today, self._day_handler
                if handler is not None:
                    handler(new_day)
            return self.today

    def advance(self, days: int) -> date:
        if days < 0:
            raise ValueError("the sandbox clock only moves forward")
        return self.set_today(self.today + timedelta(days=days))

    def banking(self) -> threading.RLock:
        """Held while the bank changes loans in several steps, so days and repayments never interleave."""
        return self._banking

    # --- loan servicing bookkeeping ---

    def funds_short(self, loan_no: str) -> bool | None:
        """The insufficient-funds switch of a loan; None when never set (the bank's default rule applies)."""
        with self._lock:
            return self._funds_short.get(loan_no)

    def set_insufficient_funds(self, loan_no: str, short: bool) -> None:
        with self._lock:
            self._funds_short[loan_no] = short

    def last_loan_event(self, loan_no: str) -> str | None:
        """The event id of the latest notification about this loan (the next one is sent `after` it)."""
        with self._lock:
            return self._loan_events.get(loan_no)

    def set_last_loan_event(self, loan_no: str, event_id: str) -> None:
        with self._lock:
            self._loan_events[loan_no] = event_id

    def next_repayment_no(self) -> str:
        with self._lock:
            self._repayment_count += 1
            return f"WBR{self._repayment_count:06d}"

    def repayment_of_token(self, token: str) -> tuple[str, str] | None:
        """(loan number, repayment number) a repayment form with this token already paid, if any."""
        with self._lock:
            return self._repayment_tokens.get(token)

    def remember_token(self, token: str, loan_no: str, repayment_no: str) -> None:
        with self._lock:
            self._repayment_tokens[token] = (loan_no, repayment_no)

    def reset(self) -> None:
        """Forget everything the upstreams were told or asked, as if the sandbox had just started."""
        with self._lock:
            self._today = self.seed.today
            self._funds_short.clear()
            self._loan_events.clear()
            self._repayment_count = 0
            self._repayment_tokens.clear()
            self._calls.clear()
            self._webank_down = False
            self._order_systems_down = set()
            self._responses.clear()
            self._pushes.clear()
            self._applications.clear()
            self._batches.clear()
            self._limits.clear()
            self._loans = {loan.loan_no: loan for loan in self.seed.loans}
            self._bookings.clear()
            self._notifications.clear()  # deliveries still retrying stop; the webhook URL stays
        self.drop_notifications(False)
        self.clear_messages()

    # --- call log ---

    def record_call(self, system: str, method: str, path: str, query: str) -> None:
        with self._lock:
            self._calls.append(RecordedCall(system, method, path, query))

    def calls(self, system: str | None = None) -> tuple[RecordedCall, ...]:
        with self._lock:
            return tuple(c for c in self._calls if system is None or c.system == system)

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    # --- WeBank outage switch ---

    @property
    def webank_down(self) -> bool:
        with self._lock:
            return self._webank_down

    def set_webank_down(self, down: bool) -> None:
        with self._lock:
            self._webank_down = down

    # --- mall and MRO outage switches (every call answers 503 while down) ---

    def order_system_down(self, system: str) -> bool:
        with self._lock:
            return system in self._order_systems_down

    def set_order_system_down(self, system: str, down: bool) -> None:
        with self._lock:
            if down:
                self._order_systems_down.add(system)
            else:
                self._order_systems_down.discard(system)

    # --- request-id idempotency ---

    def stored_response(self, request_id: str) -> StoredResponse | None:
        with self._lock:
            return self._responses.get(request_id)

    def store_response(self, request_id: str, response: StoredResponse) -> StoredResponse:
        """Keep the first response for a request id and return whichever is kept."""
        with self._lock:
            return self._responses.setdefault(request_id, response)

    # --- supplier pushes and applications ---

    def add_supplier_push(
        self, request_id: str, supplier: PushedSupplier, months: Iterable[PushedMonth], buyers: int
    ) -> SupplierPush:
        """Record a push and open its application; the limit becomes PENDING unless already approved."""
        with self._lock:
            apply_no = f"WBA{len(self._pushes) + 1:06d}"
            push = SupplierPush(apply_no, request_id, supplier, tuple(months), buyers)
            self._pushes.append(push)
            self._applications[apply_no] = Application(apply_no, supplier.credit_code)
            if self._limits.get(supplier.credit_code, NO_LIMIT).status != "APPROVED":
                self._limits[supplier.credit_code] = PENDING_LIMIT
            return push

    def supplier_pushes(self, credit_code: str | None = None) -> tuple[SupplierPush, ...]:
        with self._lock:
            return tuple(
                p for p in self._pushes if credit_code is None or p.supplier.credit_code == credit_code
            )

    def latest_application(self, credit_code: str) -> Application | None:
        with self._lock:
            return self._latest_application(credit_code)

    def _latest_application(self, credit_code: str) -> Application | None:
        for push in reversed(self._pushes):
            if push.supplier.credit_code == credit_code:
                return self._applications[push.apply_no]
        return None

    def set_handler(self, credit_code: str, handler: Handler) -> Application | None:
        """Attach the handler to the supplier's latest application; None when it was never pushed."""
        with self._lock:
            application = self._latest_application(credit_code)
            if application is None:
                return None
            application = replace(application, handler=handler)
            self._applications[application.apply_no] = application
            return application

    def applications(self) -> tuple[Application, ...]:
        with self._lock:
            return tuple(self._applications.values())

    def application(self, apply_no: str) -> tuple[Application, SupplierPush] | None:
        """An application with the push that opened it; None for an unknown apply number."""
        with self._lock:
            application = self._applications.get(apply_no)
            push = next((p for p in self._pushes if p.apply_no == apply_no), None)
            return None if application is None or push is None else (application, push)

    def advance_application(self, current: Application, new: Application) -> bool:
        """Replace `current` by `new` only if nobody changed it meanwhile (a double submit does one step)."""
        with self._lock:
            if self._applications.get(current.apply_no) != current:
                return False
            self._applications[current.apply_no] = new
            return True

    # --- order pushes ---

    def add_order_batch(self, request_id: str, credit_code: str, orders: Iterable[PushedOrder]) -> OrderBatch:
        with self._lock:
            batch = OrderBatch(f"WBB{len(self._batches) + 1:06d}", request_id, credit_code, tuple(orders))
            self._batches.append(batch)
            return batch

    def order_batches(self, credit_code: str | None = None) -> tuple[OrderBatch, ...]:
        with self._lock:
            return tuple(b for b in self._batches if credit_code is None or b.credit_code == credit_code)

    def order_batch(self, batch_no: str) -> OrderBatch | None:
        with self._lock:
            return next((b for b in self._batches if b.batch_no == batch_no), None)

    # --- limits ---

    def limit(self, credit_code: str) -> CreditLimit:
        with self._lock:
            return self._limits.get(credit_code, NO_LIMIT)

    def set_limit(self, credit_code: str, limit: CreditLimit) -> None:
        with self._lock:
            self._limits[credit_code] = limit

    # --- notifications to the BFF ---

    @property
    def webhook_url(self) -> str | None:
        with self._lock:
            return self._webhook_url

    def set_webhook_url(self, url: str | None) -> None:
        """Where notifications go (e.g. `http://127.0.0.1:8000/webhooks/webank`); None holds them back."""
        with self._lock:
            self._webhook_url = url

    def add_notification(self, notification: SentNotification) -> None:
        with self._lock:
            self._notifications[notification.event_id] = notification

    def notification(self, event_id: str) -> SentNotification | None:
        with self._lock:
            return self._notifications.get(event_id)

    def notifications(self, type: str | None = None) -> tuple[SentNotification, ...]:
        """Every notification since the last reset, oldest first, with its delivery attempts."""
        with self._lock:
            return tuple(n for n in self._notifications.values() if type is None or n.type == type)

    def record_attempt(self, event_id: str, attempt: DeliveryAttempt, *, delivered: bool) -> None:
        with self._lock:
            notification = self._notifications.get(event_id)
            if notification is not None:  # None: forgotten by a reset while the attempt was under way
                self._notifications[event_id] = replace(
                    notification,
                    attempts=(*notification.attempts, attempt),
                    status=DELIVERED if delivered else notification.status,
                )

    # --- loans ---

    def loan(self, loan_no: str) -> Loan | None:
        with self._lock:
            return self._loans.get(loan_no)

    def loans(self) -> tuple[Loan, ...]:
        with self._lock:
            return tuple(self._loans.values())

    def add_loan(self, loan: Loan) -> None:
        """Add a loan, or replace the one with the same loan number (the bank's view of it changed)."""
        with self._lock:
            self._loans[loan.loan_no] = loan

    def booking(self, key: str) -> tuple[LoanBooking, Loan] | None:
        """The loan booked under `key` by `book_loan`, if any."""
        with self._lock:
            booking = self._bookings.get(key)
            loan = None if booking is None else self._loans.get(booking.loan_no)
            return None if booking is None or loan is None else (booking, loan)

    def booking_of(self, loan_no: str) -> LoanBooking | None:
        with self._lock:
            return next((b for b in self._bookings.values() if b.loan_no == loan_no), None)

    def book_loan(
        self, key: str, order_nos: Iterable[str], build: Callable[[str], Loan]
    ) -> tuple[LoanBooking, Loan, bool]:
        """Add `build(new loan number)` unless a loan was booked under `key` already; the third item says
        whether it is new.

        The key makes one loan per order batch (its batch number) or per rendered form (its token), so a
        double submit or a second visit books nothing. Loan numbers are `WBL` + 6 digits.
        """
        with self._lock:
            booking = self._bookings.get(key)
            if booking is not None and booking.loan_no in self._loans:
                return booking, self._loans[booking.loan_no], False
            loan = build(f"WBL{len(self._bookings) + 1:06d}")
            booking = LoanBooking(key, loan.loan_no, tuple(order_nos))
            self._loans[loan.loan_no] = loan
            self._bookings[key] = booking
            return booking, loan, True
