"""Populations of agents from survey or census data.

A :class:`Population` wraps a pandas DataFrame: one row per agent, an ``agent`` id, attribute
columns and a ``weight`` column.
"""

from socialkit.population.population import Population

__all__ = ["Population"]
