"""Registers the domain's enums as GraphQL enums (in place), so the two can never drift apart.

Import this module before using the domain enums in strawberry types; fields then annotate with the
domain classes themselves.
"""

from __future__ import annotations

import strawberry

from bff.domain import eligibility, records, statuses

strawberry.enum(records.OrderSource, description="The order system: the 集采 mall or the MRO shop.")
strawberry.enum(records.OrderStatus)
strawberry.enum(statuses.AdmissionStatus)
strawberry.enum(statuses.EntryPoint, description="Where the supplier entered Xinrongbao.")
strawberry.enum(statuses.LoanKind, description="ORDER: backed by orders (40 % share); CREDIT: 60 % share.")
strawberry.enum(statuses.LoanStatus)
strawberry.enum(statuses.InstallmentStatus)
strawberry.enum(statuses.RepaymentKind)
strawberry.enum(eligibility.ReasonCode, name="EligibilityReasonCode")
