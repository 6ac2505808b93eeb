"""`UserError`: a business refusal as data in a mutation payload (DESIGN §3)."""

from __future__ import annotations

import strawberry

from bff.domain.refusals import Refusal, RefusalCode

strawberry.enum(RefusalCode, name="UserErrorCode", description="Stable codes of business refusals.")


@strawberry.type(
    description="Why a mutation changed nothing; `field` names the input field at fault, if one."
)
class UserError:
    code: RefusalCode
    message: str
    field: str | None

    @classmethod
    def from_refusal(cls, refusal: Refusal) -> UserError:
        return cls(code=refusal.code, message=refusal.message, field=refusal.field)


def user_errors(refusals: list[Refusal]) -> list[UserError]:
    return [UserError.from_refusal(refusal) for refusal in refusals]
