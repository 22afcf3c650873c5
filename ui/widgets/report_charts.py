"""The 图表 tab of 统计报表 (QtCharts): cases per month by dispute type, success-rate trend,
adviser hours per village against the target.

Imported only when the tab is first shown: QtCharts is a large module and most
sessions never open it. The widget only draws data handed to it (the page fetches
it on the DB thread).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCharts import (QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QLineSeries,
                              QStackedBarSeries, QValueAxis)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

#: dispute types shown on their own in the stacked bars; the rest are summed as 其他
TOP_TYPES = 7
OTHERS = "其他类型"


def axis_top(value: float, most_ticks: int = 5) -> tuple[float, int]:
    """A round axis maximum at or above ``value`` and the tick count that puts every tick on a
    whole "nice" step (1, 2, 5, 10, 20, 25, 50 …), so counts never get labels like 0.6."""
    if value <= 0:
        return 1.0, 2
    step = 1
    while True:
        for m in (1, 2, 2.5, 5):
            interval = step * m
            if interval >= 1 and interval == int(interval) and value / interval <= most_ticks:
                n = -(-value // interval)  # ceil
                return float(interval * n), int(n) + 1
        step *= 10


#: chart text stays at the normal size in large-font mode: the charts are laid out for it, and
#: bigger labels would be elided ("1…") rather than be easier to read
MAX_CHART_POINT_SIZE = 10.0


def chart_font(scale: float = 1.0, bold: bool = False) -> QFont:
    font = QFont(QApplication.font())
    size = font.pointSizeF() if font.pointSizeF() > 0 else MAX_CHART_POINT_SIZE
    font.setPointSizeF(min(size, MAX_CHART_POINT_SIZE) * scale)
    font.setBold(bold)
    return font


class ReportCharts(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.types_chart, self.types_view = self._chart("按纠纷类型的月度受理案件")
        self.rate_chart, self.rate_view = self._chart("调解成功率趋势")
        self.hours_chart, self.hours_view = self._chart("村(居)法律顾问服务时长")
        self.type_series: QStackedBarSeries | None = None
        self.rate_series: QLineSeries | None = None
        self.hours_bars: QBarSeries | None = None
        self.target_line: QLineSeries | None = None
        self.due_line: QLineSeries | None = None
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        # eight dispute-type names do not fit under the bars: the legend goes beside them
        self.types_chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.types_view, 0, 0)
        grid.addWidget(self.rate_view, 0, 1)
        grid.addWidget(self.hours_view, 1, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

    @staticmethod
    def _chart(title: str) -> tuple[QChart, QChartView]:
        chart = QChart()
        chart.setTitle(title)
        chart.setTitleFont(chart_font(1.15, bold=True))
        chart.legend().setFont(chart_font())
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        view = QChartView(chart)
        view.setAccessibleName(title)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(240)
        return chart, view

    @staticmethod
    def _reset(chart: QChart) -> None:
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)

    @staticmethod
    def _axes(chart: QChart, categories: list[str], top: float, label: str, series: list[Any],
              fmt: str = "%d", x_title: str = "") -> None:
        x = QBarCategoryAxis()
        x.append(categories)
        x.setLabelsFont(chart_font())
        if x_title:
            x.setTitleText(x_title)
            x.setTitleFont(chart_font())
        y = QValueAxis()
        top, ticks = axis_top(top)
        # a little room above the last tick, so a bar or point at the maximum is not cut at the edge
        y.setRange(0, top * 1.06)
        y.setTickType(QValueAxis.TickType.TicksDynamic)
        y.setTickAnchor(0)
        y.setTickInterval(top / (ticks - 1))
        y.setLabelFormat(fmt)
        y.setTitleText(label)
        y.setTitleFont(chart_font())
        y.setLabelsFont(chart_font())
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for s in series:
            s.attachAxis(x)
            s.attachAxis(y)

    # data ------------------------------------------------------------------------------
    def show_series(self, data: dict[str, Any]) -> None:
        """``station.reports.monthly_series`` of a year: stacked types and the success-rate line."""
        # month numbers under the bars, the unit in the axis title: twelve "10月" labels do not fit
        numbers = [str(i) for i in range(1, len(data["months"]) + 1)]
        self._reset(self.types_chart)
        types = list(data.get("accepted_by_type", []))
        shown, rest = types[:TOP_TYPES], types[TOP_TYPES:]
        if rest:
            shown.append({"name": OTHERS, "values": [sum(t["values"][i] for t in rest) for i in range(12)]})
        series = QStackedBarSeries()
        for t in shown:
            bar = QBarSet(t["name"])
            bar.append([float(v) for v in t["values"]])
            series.append(bar)
        self.types_chart.addSeries(series)
        monthly_total = [sum(t["values"][i] for t in types) for i in range(12)]
        self._axes(self.types_chart, numbers, max(monthly_total, default=0), "受理（件）", [series],
                   x_title="月")
        self.types_chart.setTitle(f"{data['year']}年按纠纷类型的月度受理案件")
        self.type_series = series

        self._reset(self.rate_chart)
        s = data["series"]
        line = QLineSeries()
        line.setName("调解成功率（%）")
        line.setPointsVisible(True)
        pen = QPen(QColor("#0b4f8a"))
        pen.setWidth(2)
        line.setPen(pen)
        ok, failed = s["cases_succeeded"]["values"], s["cases_failed"]["values"]
        for i in range(12):
            if ok[i] + failed[i]:
                line.append(i, round(100 * ok[i] / (ok[i] + failed[i]), 1))
        self.rate_chart.addSeries(line)
        self._axes(self.rate_chart, numbers, 100, "成功率（%）", [line], x_title="月")
        self.rate_chart.setTitle(f"{data['year']}年调解成功率趋势")
        self.rate_series = line

    def show_hours(self, report: Any) -> None:
        """Year-to-date hours per village (bars) against the yearly and the pro-rata target (lines).

        Each target line has two points per village (across its bar), so ``count()`` is twice the villages.
        """
        self._reset(self.hours_chart)
        self.hours_bars = self.target_line = self.due_line = None
        try:
            table = report.table("visits_by_village")
        except StopIteration:  # a committee's report has no adviser table
            self.hours_chart.setTitle("村(居)法律顾问服务时长（本范围无法律顾问数据）")
            return
        rows = table.as_dicts()[:-1] if table.has_total else table.as_dicts()
        names = [r["village"] for r in rows]
        bars = QBarSeries()
        done = QBarSet("年度累计（小时）")
        done.append([float(r["ytd"] or 0) for r in rows])
        done.setColor(QColor("#4a86c5"))
        bars.append(done)
        self.hours_chart.addSeries(bars)
        lines = []
        for key, label, color, style in (("target", "年度目标", "#c0392b", Qt.PenStyle.SolidLine),
                                         ("due", "进度目标", "#e67e22", Qt.PenStyle.DashLine)):
            line = QLineSeries()
            line.setName(f"{label}（小时）")
            pen = QPen(QColor(color))
            pen.setWidth(2)
            pen.setStyle(style)
            line.setPen(pen)
            for i, r in enumerate(rows):  # a level across each village's bar: readable for one village too
                line.append(i - 0.4, float(r[key] or 0))
                line.append(i + 0.4, float(r[key] or 0))
            self.hours_chart.addSeries(line)
            lines.append(line)
        top = max([float(r["ytd"] or 0) for r in rows] + [float(r["target"] or 0) for r in rows] + [0.0])
        self._axes(self.hours_chart, names, top, "小时", [bars, *lines])
        self.hours_chart.setTitle(f"村(居)法律顾问服务时长：年度累计与目标（截至{report.period['end']}）")
        self.hours_bars, self.target_line, self.due_line = bars, lines[0], lines[1]


__all__ = ["ReportCharts"]
