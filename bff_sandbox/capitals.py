"""Amounts in Chinese capitals (大写金额), as vouchers and contracts print them next to the figures.

The banking convention (《支付结算办法》): digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿, then 元角分;
an amount without 角 and 分 ends in 整; a run of zeros inside the number is one 零 (壹仟零伍元整,
壹拾万零伍元整), and 零 stands between 元 and 分 when 角 is zero (壹元零伍分); 10 is 壹拾.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
GROUP_UNITS = ("", "万", "亿", "万亿")
PLACE_UNITS = ("仟", "佰", "拾", "")


def capitals(amount: Decimal) -> str:
    """`amount` yuan (rounded half-up to the fen) in Chinese capitals, e.g. 4048.10 → 肆仟零肆拾捌元壹角."""
    if amount < 0:
        return "负" + capitals(-amount)
    fen_total = int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    if yuan >= 10**16:
        raise ValueError(f"{amount} is too large to write in capitals")
    words = _integer(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return (words or "零元") + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    return words


def _integer(number: int) -> str:
    groups = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    words = ""
    zero_pending = False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            zero_pending = bool(words)
            continue
        if words and (zero_pending or group < 1000):
            words += "零"
        words += _group(group) + GROUP_UNITS[index]
        zero_pending = False
    return words


def _group(group: int) -> str:
    words = ""
    zero = False
    for unit, digit in zip(PLACE_UNITS, f"{group:04d}", strict=True):
        if digit == "0":
            zero = zero or bool(words)
            continue
        if zero:
            words += "零"
            zero = False
        words += DIGITS[int(digit)] + unit
    return words
