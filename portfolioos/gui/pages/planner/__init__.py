"""The Planner page (retirement Monte Carlo): form, results, sensitivity, compare."""

from portfolioos.gui.pages.planner.page import PlannerPage

__all__ = ["PlannerPage"]
