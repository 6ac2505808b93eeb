"""The three upstream simulators (mall, MRO, WeBank) as one real HTTP app, for tests, `bff sandbox` and `bff demo`.

Seed suppliers (every date relative to the sandbox's `today`; "N m" = N calendar months ago):

| code       | credit code          | province / city       | mall / MRO orders | what it demonstrates                     |
|------------|----------------------|-----------------------|-------------------|------------------------------------------|
| GD-BOTH    | 91440300MA5314187G   | 广东省 / 深圳市        | 36 / 32           | eligible; the demo supplier: every status |
|            |                      |                       |                   | of both systems, contracts (some null),   |
|            |                      |                       |                   | first fulfilment mall 36 m / MRO 30 m,    |
|            |                      |                       |                   | a mall statement every month, loans       |
|            |                      |                       |                   | WBL0001 (ORDER, DISBURSED), WBL0002       |
|            |                      |                       |                   | (CREDIT, SETTLED)                         |
| HN-MALL    | 91430100MA5418916L   | 湖南 / 长沙            | 5 / 0             | eligible, mall only (MRO knows it, empty) |
| SX-MRO     | 91610100MA5523645Y   | 陕西省 / 西安市        | 0 / 4             | eligible, MRO only (mall: profile only)   |
| XZ-FAR     | 91540100MA5628374A   | 西藏自治区 / 拉萨市    | 3 / -             | only REGION_NOT_COVERED fails             |
| JL-CC      | 91220100MA5733103E   | 吉林省长春市 / ""      | 3 / -             | eligible (Changchun, all in province)     |
| JL-JL      | 91220200MA5837832T   | 吉林省 / 吉林市        | 3 / -             | only REGION_NOT_COVERED fails             |
| JL-NOCITY  | 91220000MA5942561M   | 吉林 / ""              | 3 / -             | only REGION_NOT_COVERED fails (no city)   |
| LN-SY      | 91210100MA5047290J   | 辽宁 / 沈阳            | 3 / -             | eligible (Shenyang)                       |
| LN-DL      | 91210200MA51520196   | 辽宁省 / 大连市        | 3 / -             | only REGION_NOT_COVERED fails             |
| ZJ-NEW     | 91330100MA52567487   | 浙江省 / 杭州市        | 4 / 3             | only COOPERATION_UNDER_12_MONTHS fails:   |
|            |                      |                       |                   | first fulfilment mall 8 m, MRO 7 m        |
| JS-IDLE    | 91320100MA53614778   | 江苏省 / 南京市        | 4 / -             | only NO_FULFILLMENT_IN_6_MONTHS fails     |
|            |                      |                       |                   | (first 30 m, last statement 8 m)          |
| CQ-EARLY   | 91500000MA54662069   | 重庆 / ""              | 3 / 3             | eligible: MRO first fulfilment 24 m       |
|            |                      |                       |                   | is earlier than the mall's 5 m            |
| XJ-NONE    | 91650100MA5570935G   | 新疆维吾尔自治区 / 乌鲁木齐市 | 2 / -         | all three rules fail (first and last      |
|            |                      |                       |                   | statement 7 m)                            |
| BAD-CREDIT | 91440100MA5675664M   | 广东省 / 广州市        | 3 / -             | eligible, but the check character is      |
|            |                      |                       |                   | wrong: must never be pushed to the bank   |

"-" means MRO does not know the supplier (its fulfilment endpoint answers code 404). Every supplier has
a mall profile. Mall order ids run from 100001 and MRO ids from 500001, in table order; the demo
supplier's ids are deliberately not in time order, and its newest two orders in each system share a
timestamp, so only "created desc, then id desc" gives the right page order.

Controls under `/_sandbox`: `GET calls` (optionally `?system=mall|mro|webank`), `POST calls/reset`,
`POST reset` (back to the seed: calls, pushes, limits, stored request ids, loans, outage off) and
`POST webank/outage` with `{"down": true|false}`, `POST webank/notify` with `{"type", "data"}` (send any
notification), `GET webank/notifications`, `POST webank/webhook` with `{"url": …|null}`, `GET clock` and
`POST clock` with `{"days": N}` or `{"today": "YYYY-MM-DD"}` (→ `{"today"}`; forward only, running the bank
day by day), `POST webank/funds` with `{"loan_no", "insufficient": true|false}`, and
`POST webank/drop-notifications` with `{"drop": true|false}` (while on, the bank acts but its
notifications are lost: recorded as DROPPED, never delivered — what the BFF's reconciliation repairs).
`SandboxState` offers the same from Python (`advance`, `set_today`, `set_insufficient_funds`,
`drop_notifications`), plus `set_limit(...)` and `add_loan(...)` to play the bank's decisions. Besides
`GET /v1/loans?loan_nos=` the bank lists all of an enterprise's loans, `GET /v1/suppliers/{credit_code}/loans`,
each with its repayments (the seed's paid installments as `WBR0001`…) and its applied/disbursed/settled
times.
`push_refusals.refusals_of(state).refusing("push_supplier", 400, "INVALID_STATISTICS")` makes the bank
refuse a push endpoint with a 4xx until the block ends.

The `register_url` of a push opens the bank's own pages (`bank_pages`), where a person verifies the
enterprise and its legal representative and applies for a limit; the bank decides (`decision`) and
notifies the BFF's webhook (`notifier`, signed, retried until SUCCESS). The `financing_url` of an order
push and the credit-financing URL open the bank's financing pages (`financing_pages` with
`financing_html`), where a person picks orders, an amount and a term; the bank books the loan, decides
(`loan_decision`: FAIL for an amount ending in .44 or a buyer containing 失败, else DISBURSED today) and
notifies `loan.applied`, then `loan.disbursed` or `loan.failed`. The plan follows `loan_engine`
(等额本息 or 先息后本, actual/360, exact to the fen). Moving the clock runs `loan_servicing`: automatic
debits on due dates (`repayment.posted`), an empty account for amounts ending in .33 (`loan.overdue`,
penalty interest), `loan.settled`; the repayment URL opens `repayment_pages` (pay an installment now, or
settle early at the payoff quote) and every document URL is served as a page.

Modules: `data` (record shapes, calendar), `seed` (the suppliers above), `state`, one module per
upstream (`mall`, `mro`, `webank` with `webank_payloads`, `bank_pages` with `bank_html`, `decision`,
`financing_pages` with `financing_html`, `loan_decision`, `loan_engine`, `loan_servicing`, `repayment_pages`
with `repayment_html`, `notifier`), `app` (mounting, the call log, the controls, the lifespan) and `server`
(uvicorn on a background thread).
"""

from bff_sandbox.app import create_sandbox_app
from bff_sandbox.data import Installment, Loan, LoanDocument, Seed, shanghai_today
from bff_sandbox.seed import DEMO_SUPPLIER, build_seed
from bff_sandbox.server import RunningSandbox, SandboxStartupError, start_sandbox
from bff_sandbox.state import CreditLimit, RecordedCall, SandboxState

__all__ = [
    "DEMO_SUPPLIER",
    "CreditLimit",
    "Installment",
    "Loan",
    "LoanDocument",
    "RecordedCall",
    "RunningSandbox",
    "SandboxStartupError",
    "SandboxState",
    "Seed",
    "build_seed",
    "create_sandbox_app",
    "shanghai_today",
    "start_sandbox",
]
