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


def _nice_max(value: float) -> float:
    """A round axis maximum a bit above ``value``."""
    if value <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return float(step * (int(value // step) + 1))
    return value * 1.1


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
        font = QFont(QApplication.font())
        title_font = QFont(font)
        title_font.setPointSizeF(font.pointSizeF() * 1.15)
        title_font.setBold(True)
        chart.setTitle(title)
        chart.setTitleFont(title_font)
        chart.legend().setFont(font)
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
        x.setLabelsFont(QApplication.font())
        if x_title:
            x.setTitleText(x_title)
            x.setTitleFont(QApplication.font())
        y = QValueAxis()
        y.setRange(0, top)
        y.setLabelFormat(fmt)
        y.setTitleText(label)
        y.setTitleFont(QApplication.font())
        y.setLabelsFont(QApplication.font())
        y.setTickCount(6)
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
        self._axes(self.types_chart, numbers, _nice_max(max(monthly_total, default=0)), "受理（件）", [series],
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
        """Year-to-date hours per village (bars) against the yearly and the pro-rata target (lines)."""
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
            line.setPointsVisible(True)
            for i, r in enumerate(rows):
                line.append(i, float(r[key] or 0))
            self.hours_chart.addSeries(line)
            lines.append(line)
        top = max([float(r["ytd"] or 0) for r in rows] + [float(r["target"] or 0) for r in rows] + [0.0])
        self._axes(self.hours_chart, names, _nice_max(top), "小时", [bars, *lines])
        self.hours_chart.setTitle(f"村(居)法律顾问服务时长：年度累计与目标（截至{report.period['end']}）")
        self.hours_bars, self.target_line, self.due_line = bars, lines[0], lines[1]


__all__ = ["ReportCharts"]
