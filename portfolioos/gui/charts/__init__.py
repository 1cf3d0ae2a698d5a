"""pyqtgraph charts (the only place pyqtgraph is imported). numpy in, `set_data` to update."""

from portfolioos.gui.charts.bars import AllocationChart, BarChart
from portfolioos.gui.charts.fan import FanChart
from portfolioos.gui.charts.heatmap import HeatMap
from portfolioos.gui.charts.histogram import HistogramChart
from portfolioos.gui.charts.line import LineChart
from portfolioos.gui.charts.price import PriceChart
from portfolioos.gui.charts.timeseries import TimeSeriesChart

__all__ = [
    "AllocationChart",
    "BarChart",
    "FanChart",
    "HeatMap",
    "HistogramChart",
    "LineChart",
    "PriceChart",
    "TimeSeriesChart",
]
