"""Deterministic seed data for the three simulated upstreams, every date relative to one `today`.

Nothing here is random: variety comes from fixed arithmetic patterns, so the same `today` always yields
the same seed, and the admission cases (see the table in `bff_sandbox`) hold whichever day it runs.
Order ids and statuses do not depend on `today` at all; only dates and numbers derived from dates
(order numbers, statement numbers) move with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from bff_sandbox.credit_code import ALPHABET, check_character
from bff_sandbox.data import (
    CANCELLED,
    COMPLETED,
    MRO_CANCELLED,
    MRO_COMPLETED,
    MRO_PENDING_RECEIPT,
    MRO_REJECTED,
    OUTPUT_VALUE,
    PENDING_CONFIRMATION,
    PENDING_SHIPMENT,
    PROCESSING,
    REJECTED,
    SETTLEMENT,
    SHANGHAI,
    FulfilmentHistory,
    Installment,
    Loan,
    MallContract,
    MallOrder,
    MroOrder,
    Repayment,
    Seed,
    SeedStatement,
    SeedSupplier,
    add_months,
)
from bff_sandbox.loan_decision import document, equal_principal_plan
from bff_sandbox.loan_engine import EQUAL_PRINCIPAL
from bff_sandbox.money import CENT

FIRST_MALL_ORDER_ID = 100001
FIRST_MRO_ORDER_ID = 500001
DEMO_SUPPLIER = "GD-BOTH"

BUYERS = (
    "中建三局集团有限公司",
    "中国建筑第八工程局有限公司",
    "中铁建工集团有限公司",
    "上海建工集团股份有限公司",
    "中交第二航务工程局有限公司",
    "北京城建集团有限责任公司",
    "陕西建工集团股份有限公司",
    "湖南建工集团有限公司",
    "广东省建筑工程集团有限公司",
    "浙江省建工集团有限责任公司",
    "中国建筑第五工程局有限公司",
    "中铁十八局集团有限公司",
)


# --- placing things in time -----------------------------------------------------------------------


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), SHANGHAI)


def _statement_day(today: date, months_ago: int) -> date | None:
    """Same day of the month `months_ago` back; this month's falls on yesterday (none on the 1st)."""
    if months_ago > 0:
        return add_months(today, -months_ago)
    return today - timedelta(days=1) if today.day > 1 else None


def _order_time(today: date, days_ago: int) -> datetime:
    # Derived from the day alone, so two orders placed the same number of days ago share a timestamp.
    return _at(
        today - timedelta(days=days_ago), 8 + days_ago % 10, (days_ago * 17) % 60, (days_ago * 29) % 60
    )


def _amount(n: int, low: int, span: int) -> Decimal:
    """A deterministic amount with fen, e.g. 12345.67."""
    return (Decimal(low + (n * 7919) % span) + Decimal((n * 37 + 11) % 100) / 100).quantize(CENT)


# --- the supplier plan ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    code: str
    name: str
    province: str
    city: str
    region_code: str  # the 6-digit administrative division code inside the credit code
    purpose: str
    mall_first: int | None = None  # months ago; None: no mall history
    mall_statements: tuple[int, ...] = ()  # months ago
    mall_orders: tuple[tuple[int, str], ...] = ()  # (days ago, status)
    mro_known: bool = False
    mro_first: int | None = None
    mro_statements: tuple[int, ...] = ()
    mro_orders: tuple[tuple[int, int], ...] = ()
    bad_check_character: bool = False


_STEADY = (26, 22, 18, 14, 10, 6, 3, 1)

# Status of the demo supplier's orders by recency rank: the newest twelve show every status,
# the older ones are mostly completed.
_MALL_RECENT = (
    PENDING_SHIPMENT,
    PROCESSING,
    PENDING_CONFIRMATION,
    PENDING_SHIPMENT,
    PROCESSING,
    REJECTED,
    PENDING_SHIPMENT,
    CANCELLED,
    PROCESSING,
    PENDING_CONFIRMATION,
    COMPLETED,
    PENDING_SHIPMENT,
)
_MRO_RECENT = (20, 30, 10, 20, 30, 50, 20, 60, 30, 10, 40, 20)


def _by_rank(
    rank: int, recent: Sequence[str | int], cancelled: str | int, rejected: str | int, done: str | int
) -> str | int:
    if rank < len(recent):
        return recent[rank]
    if rank % 7 == 0:
        return cancelled
    if rank % 11 == 0:
        return rejected
    return done


def _demo_mall_orders() -> tuple[tuple[int, str], ...]:
    # 35 orders whose recency is a permutation of their position (ids are not in time order), plus
    # one more placed at the same moment as the newest: the id tie-break decides between them.
    count = 35
    orders = []
    for i in range(count):
        rank = (i * 11) % count
        status = _by_rank(rank, _MALL_RECENT, CANCELLED, REJECTED, COMPLETED)
        orders.append((1 + rank * 20, str(status)))
    orders.append((1, PROCESSING))
    return tuple(orders)


def _demo_mro_orders() -> tuple[tuple[int, int], ...]:
    count = 31
    orders = []
    for i in range(count):
        rank = (i * 7) % count
        status = _by_rank(rank, _MRO_RECENT, MRO_CANCELLED, MRO_REJECTED, MRO_COMPLETED)
        orders.append((2 + rank * 22, int(status)))
    orders.append((2, MRO_PENDING_RECEIPT))
    return tuple(orders)


_PLANS = (
    _Plan(
        "GD-BOTH", "深圳市筑城建材有限公司", "广东省", "深圳市", "440300",
        "eligible; the demo supplier (mall + MRO, every status, monthly statements)",
        mall_first=36, mall_statements=tuple(range(24)), mall_orders=_demo_mall_orders(),
        mro_known=True, mro_first=30, mro_statements=tuple(range(0, 30, 2)), mro_orders=_demo_mro_orders(),
    ),
    _Plan(
        "HN-MALL", "长沙湘筑机电设备有限公司", "湖南", "长沙", "430100",
        "eligible, mall only (known to MRO without any history)",
        mall_first=20, mall_statements=(20, 17, 14, 11, 8, 5, 2, 1),
        mall_orders=((3, PENDING_SHIPMENT), (12, PROCESSING), (40, COMPLETED), (75, COMPLETED), (130, CANCELLED)),
        mro_known=True,
    ),
    _Plan(
        "SX-MRO", "西安秦川五金工具有限公司", "陕西省", "西安市", "610100",
        "eligible, MRO only (the mall has the profile but no fulfilment or orders)",
        mall_first=None, mro_known=True, mro_first=18, mro_statements=(18, 15, 12, 9, 6, 3, 1),
        mro_orders=((4, 20), (15, 30), (50, 40), (100, 40)),
    ),
    _Plan(
        "XZ-FAR", "拉萨雪域建设物资有限公司", "西藏自治区", "拉萨市", "540100",
        "only REGION_NOT_COVERED fails",
        mall_first=26, mall_statements=_STEADY,
        mall_orders=((5, PENDING_SHIPMENT), (60, COMPLETED), (150, COMPLETED)),
    ),
    _Plan(
        "JL-CC", "长春北方钢材贸易有限公司", "吉林省长春市", "", "220100",
        "eligible: the whole region name stands in province (Changchun is covered)",
        mall_first=26, mall_statements=_STEADY,
        mall_orders=((6, PROCESSING), (33, COMPLETED), (90, COMPLETED)),
    ),
    _Plan(
        "JL-JL", "吉林市松江建材有限公司", "吉林省", "吉林市", "220200",
        "only REGION_NOT_COVERED fails (Jilin outside Changchun)",
        mall_first=26, mall_statements=_STEADY,
        mall_orders=((8, PENDING_SHIPMENT), (70, COMPLETED), (140, REJECTED)),
    ),
    _Plan(
        "JL-NOCITY", "吉林长白山木业有限公司", "吉林", "", "220000",
        "only REGION_NOT_COVERED fails (Jilin with no recognisable city)",
        mall_first=26, mall_statements=_STEADY,
        mall_orders=((10, PENDING_CONFIRMATION), (80, COMPLETED), (170, COMPLETED)),
    ),
    _Plan(
        "LN-SY", "沈阳盛京电缆有限公司", "辽宁", "沈阳", "210100",
        "eligible (Shenyang is covered; short spellings)",
        mall_first=26, mall_statements=_STEADY,
        mall_orders=((2, PENDING_SHIPMENT), (25, PROCESSING), (110, COMPLETED)),
    ),
    _Plan(
        "LN-DL", "大连海湾防水材料有限公司", "辽宁省", "大连市", "210200",
        "only REGION_NOT_COVERED fails (Liaoning outside Shenyang)",
        mall_first=26, mall_statements=_STEADY,
        mall_orders=((7, PROCESSING), (95, COMPLETED), (200, CANCELLED)),
    ),
    _Plan(
        "ZJ-NEW", "杭州钱塘新材料科技有限公司", "浙江省", "杭州市", "330100",
        "only COOPERATION_UNDER_12_MONTHS fails (mall first 8 months ago, MRO 7)",
        mall_first=8, mall_statements=(8, 6, 4, 2, 1),
        mall_orders=((3, PENDING_SHIPMENT), (20, PROCESSING), (120, COMPLETED), (230, COMPLETED)),
        mro_known=True, mro_first=7, mro_statements=(7, 5, 3, 1),
        mro_orders=((6, 20), (45, 30), (190, 40)),
    ),
    _Plan(
        "JS-IDLE", "南京金陵管业有限公司", "江苏省", "南京市", "320100",
        "only NO_FULFILLMENT_IN_6_MONTHS fails (last statement 8 months ago)",
        mall_first=30, mall_statements=(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8),
        mall_orders=((15, PENDING_CONFIRMATION), (250, COMPLETED), (320, COMPLETED), (400, CANCELLED)),
    ),
    _Plan(
        "CQ-EARLY", "重庆山城混凝土有限公司", "重庆", "", "500000",
        "eligible: MRO first fulfilment (24 months ago) is earlier than the mall's (5 months ago)",
        mall_first=5, mall_statements=(5, 3, 1),
        mall_orders=((4, PENDING_SHIPMENT), (55, COMPLETED), (140, COMPLETED)),
        mro_known=True, mro_first=24, mro_statements=(24, 18, 12, 6, 2),
        mro_orders=((9, 30), (300, 40), (700, 40)),
    ),
    _Plan(
        "XJ-NONE", "乌鲁木齐天山建材有限公司", "新疆维吾尔自治区", "乌鲁木齐市", "650100",
        "all three rules fail (first and last statement 7 months ago)",
        mall_first=7, mall_statements=(7,),
        mall_orders=((20, PENDING_SHIPMENT), (215, COMPLETED)),
    ),
    _Plan(
        "BAD-CREDIT", "广州羊城劳保用品有限公司", "广东省", "广州市", "440100",
        "eligible, but its credit code has a wrong check character (never pushed)",
        mall_first=26, mall_statements=_STEADY,
        mall_orders=((2, PROCESSING), (30, PENDING_SHIPMENT), (85, COMPLETED)),
        bad_check_character=True,
    ),
)  # fmt: skip


def _credit_code(index: int, plan: _Plan) -> str:
    # 91 = enterprise registered with market regulation; then the division code and a 9-character
    # organisation code; the 18th character is the GB 32100-2015 check character.
    organisation = f"MA5{(104_729 * (index + 3)) % 1_000_000:06d}"
    first17 = "91" + plan.region_code + organisation
    check = check_character(first17)
    if plan.bad_check_character:
        check = ALPHABET[(ALPHABET.index(check) + 1) % len(ALPHABET)]
    return first17 + check


def _statements(
    today: date, code_prefix: Callable[[str], str], months_ago: Iterable[int], serial: list[int]
) -> tuple[SeedStatement, ...]:
    statements = []
    for k in sorted(set(months_ago), reverse=True):
        day = _statement_day(today, k)
        if day is None:
            continue
        serial[0] += 1
        n = serial[0]
        kind = OUTPUT_VALUE if n % 3 == 0 else SETTLEMENT
        statements.append(
            SeedStatement(
                no=f"{code_prefix(kind)}{day:%Y%m}{n:05d}",
                kind=kind,
                amount=_amount(n, 8_000, 250_000),
                completed_at=_at(day, 10 + k % 8, (n * 13) % 60),
            )
        )
    return tuple(statements)


def _mall_statement_prefix(kind: str) -> str:
    return "JS" if kind == SETTLEMENT else "CZ"


def _mro_statement_prefix(kind: str) -> str:
    return "MROJS" if kind == SETTLEMENT else "MROCZ"


def _history(
    today: date,
    code: str,
    first: int | None,
    months_ago: tuple[int, ...],
    prefix: Callable[[str], str],
    serial: list[int],
) -> FulfilmentHistory:
    if first is None:
        return FulfilmentHistory(code, None, ())
    # The first statement (the oldest, always in a past month) is the first fulfilment.
    statements = _statements(today, prefix, (first, *months_ago), serial)
    return FulfilmentHistory(code, statements[0].completed_at, statements)


def _mall_order(today: date, order_id: int, code: str, days_ago: int, status: str) -> MallOrder:
    n = order_id - FIRST_MALL_ORDER_ID + 1
    created = _order_time(today, days_ago)
    amount = _amount(n, 3_000, 180_000)
    contract = None
    if n % 4 != 0:
        signed = created - timedelta(days=2, hours=3)
        contract = MallContract(f"HT{signed:%Y%m%d}{n:04d}", amount, signed)
    return MallOrder(
        id=order_id,
        order_no=f"CG{created:%Y%m%d}{n:06d}",
        supplier_code=code,
        status=status,
        amount=amount,
        buyer_name=BUYERS[n % len(BUYERS)],
        created_at=created,
        contract=contract,
    )


def _mro_order(today: date, order_id: int, code: str, days_ago: int, status: int) -> MroOrder:
    n = order_id - FIRST_MRO_ORDER_ID + 1
    created = _order_time(today, days_ago)
    return MroOrder(
        trade_order_id=order_id,
        trade_order_no=f"MRO{created:%Y%m%d}{n:06d}",
        supplier_code=code,
        order_status=status,
        pay_amount=_amount(n + 500, 800, 60_000),
        buyer_company_name=BUYERS[(n + 5) % len(BUYERS)],
        gmt_create=created,
        contract_no=None if n % 3 == 0 else f"MROHT{created:%Y%m%d}{n:04d}",
    )


def _paid(plan: tuple[Installment, ...], first_no: int) -> tuple[Repayment, ...]:
    """The automatic debits that paid the seed plan's PAID installments (at 10:00 on each due date).

    Numbered `WBR0001`… (4 digits, like the seed's loan numbers), apart from the bank's own `WBR` + 6 digits.
    """
    return tuple(
        Repayment(
            f"WBR{first_no + k:04d}",
            "SCHEDULED",
            (i.period,),
            i.principal,
            i.interest,
            Decimal("0.00"),
            _at(i.due_date, 10),
        )
        for k, i in enumerate(i for i in plan if i.status == "PAID")
    )


def _seed_loans(today: date, credit_code: str) -> tuple[Loan, ...]:
    disbursed = add_months(today, -2) - timedelta(days=5)
    amount = Decimal("100000.00")
    rate = Decimal("0.0720")
    plan = equal_principal_plan(amount, rate, 6, disbursed, paid=2)
    order_loan = Loan(
        loan_no="WBL0001",
        credit_code=credit_code,
        kind="ORDER",
        status="DISBURSED",
        amount=amount,
        outstanding_principal=amount - sum((i.principal for i in plan if i.status == "PAID"), Decimal(0)),
        annual_rate=rate,
        term_months=6,
        disbursed_on=disbursed,
        plan=plan,
        method=EQUAL_PRINCIPAL,
        repayments=_paid(plan, 1),
        applied_at=_at(disbursed, 9, 30),
        disbursed_at=_at(disbursed, 11),
        documents=(
            document("WBL0001", "LOAN_CONTRACT", "借款合同"),
            document("WBL0001", "LIMIT_CONTRACT", "额度合同"),
            document("WBL0001", "INSTALLMENT_VOUCHER", "第1期本息归还凭证", "-1"),
            document("WBL0001", "INSTALLMENT_VOUCHER", "第2期本息归还凭证", "-2"),
        ),
    )
    credit_disbursed = add_months(today, -10)
    credit_plan = equal_principal_plan(Decimal("50000.00"), Decimal("0.0650"), 3, credit_disbursed, paid=3)
    credit_loan = Loan(
        loan_no="WBL0002",
        credit_code=credit_code,
        kind="CREDIT",
        status="SETTLED",
        amount=Decimal("50000.00"),
        outstanding_principal=Decimal("0.00"),
        annual_rate=Decimal("0.0650"),
        term_months=3,
        disbursed_on=credit_disbursed,
        plan=credit_plan,
        method=EQUAL_PRINCIPAL,
        repayments=_paid(credit_plan, 3),
        settled_on=credit_plan[-1].due_date,
        applied_at=_at(credit_disbursed, 9, 30),
        disbursed_at=_at(credit_disbursed, 11),
        documents=(
            document("WBL0002", "LOAN_CONTRACT", "借款合同"),
            document("WBL0002", "LIMIT_CONTRACT", "额度合同"),
            *(
                document("WBL0002", "INSTALLMENT_VOUCHER", f"第{i.period}期本息归还凭证", f"-{i.period}")
                for i in credit_plan
            ),
            document("WBL0002", "SETTLEMENT_CERTIFICATE", "贷款结清证明"),
        ),
    )
    return order_loan, credit_loan


def build_seed(today: date) -> Seed:
    suppliers = []
    mall_orders: list[MallOrder] = []
    mro_orders: list[MroOrder] = []
    mall_fulfilment = []
    mro_fulfilment = []
    mall_serial = [0]
    mro_serial = [0]
    for index, plan in enumerate(_PLANS):
        suppliers.append(
            SeedSupplier(
                plan.code, plan.name, _credit_code(index, plan), plan.province, plan.city, plan.purpose
            )
        )
        for days_ago, status in plan.mall_orders:
            order_id = FIRST_MALL_ORDER_ID + len(mall_orders)
            mall_orders.append(_mall_order(today, order_id, plan.code, days_ago, status))
        for days_ago, mro_status in plan.mro_orders:
            order_id = FIRST_MRO_ORDER_ID + len(mro_orders)
            mro_orders.append(_mro_order(today, order_id, plan.code, days_ago, mro_status))
        mall_fulfilment.append(
            _history(
                today, plan.code, plan.mall_first, plan.mall_statements, _mall_statement_prefix, mall_serial
            )
        )
        if plan.mro_known:
            mro_fulfilment.append(
                _history(
                    today, plan.code, plan.mro_first, plan.mro_statements, _mro_statement_prefix, mro_serial
                )
            )
    demo = next(s for s in suppliers if s.code == DEMO_SUPPLIER)
    return Seed(
        today=today,
        suppliers=tuple(suppliers),
        mall_orders=tuple(mall_orders),
        mro_orders=tuple(mro_orders),
        mall_fulfilment=tuple(mall_fulfilment),
        mro_fulfilment=tuple(mro_fulfilment),
        loans=_seed_loans(today, demo.credit_code),
    )
