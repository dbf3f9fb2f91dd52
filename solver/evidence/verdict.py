"""The verdict per leader (records contract):
- ``compliant`` [达标]: every requirement met, no ``disputed``, ``held_while_away``, ``overlap`` or
  ``travel_impossible`` flag, and at least ``confirm_share`` of held face-to-face visits confirmed;
- ``partly`` [基本达标]: every requirement met and no such flag, but fewer confirmed (the weaker
  flags, e.g. ``late_record``, do not lower a verdict on their own);
- ``non_compliant`` [未达标]: otherwise.
A leader without a held face-to-face visit has nothing to confirm: the share does not hold them back.
"""

from __future__ import annotations

from collections.abc import Iterable

from .flags import STRONG_FLAGS
from .records import EvidenceSettings
from .requirements import RequirementRow

VERDICTS = ("compliant", "partly", "non_compliant")
VERDICT_NAMES = {
    "zh": {"compliant": "达标", "partly": "基本达标", "non_compliant": "未达标"},
    "en": {"compliant": "compliant", "partly": "partly compliant", "non_compliant": "non-compliant"},
}


def confirmed_share(held_f2f: int, confirmed_f2f: int) -> float | None:
    return round(confirmed_f2f / held_f2f, 4) if held_f2f else None


def verdict(
    requirements: Iterable[RequirementRow],
    flags: Iterable[str],
    held_f2f: int,
    confirmed_f2f: int,
    settings: EvidenceSettings,
) -> str:
    if not all(r.met for r in requirements) or STRONG_FLAGS.intersection(flags):
        return "non_compliant"
    share = confirmed_share(held_f2f, confirmed_f2f)
    if share is not None and confirmed_f2f < settings.confirm_share * held_f2f - 1e-9:
        return "partly"
    return "compliant"
