"""The patient's measurements over time, for the trend charts on the patient page.

A transplant decision turns on how the disease and the organs are moving, not on one value:
EDSS creeping up, LVEF falling. Each series is the item's valid values by date; the page
draws them as charts and keeps the same numbers in a table for those who cannot see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .items import ITEMS
from .models import AssessmentValue

# Disease scores first, then organ function (UI.md; issue #13 "Trends").
TREND_ITEMS = ("edss", "sledai_2k", "mrss", "cdai", "lvef", "dlco", "creatinine_clearance")


@dataclass
class Series:
    key: str
    label: str
    unit: str
    points: list[tuple[date, float]] = field(default_factory=list)

    @property
    def data_id(self) -> str:
        return f"trend-data-{self.key}"

    def chart_data(self) -> dict:
        return {
            "key": self.key,
            "label": f"{self.label} ({self.unit})" if self.unit else self.label,
            "dates": [d.isoformat() for d, _ in self.points],
            "values": [v for _, v in self.points],
        }


def trend_series(patient) -> list[Series]:
    """Each trend item the patient has a value of, oldest value first."""
    values = (
        AssessmentValue.objects.filter(
            assessment__patient=patient,
            assessment__entered_in_error=False,
            item__in=TREND_ITEMS,
        )
        .order_by("assessment__taken_on", "assessment__created_at", "id")
        .values_list("item", "assessment__taken_on", "value")
    )
    series = {key: Series(key, ITEMS[key].label, ITEMS[key].unit) for key in TREND_ITEMS}
    for item, taken_on, value in values:
        series[item].points.append((taken_on, value))
    return [s for s in series.values() if s.points]
