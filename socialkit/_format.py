"""How socialkit writes a value in text (messages, personas, labels): one function."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fmt"]


def fmt(value: Any, digits: int | None = None) -> str:
    """``value`` as text: integral floats without ``.0``; other floats in full (``repr``) or
    to ``digits`` significant digits; anything else with ``str``.

    Examples
    --------
    >>> fmt(3.0), fmt(0.125), fmt(0.123456, digits=3), fmt("Dole"), fmt(np.int64(7))
    ('3', '0.125', '0.123', 'Dole', '7')
    """
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float | np.floating):
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value)) if digits is None else f"{float(value):.{digits}g}"
    if isinstance(value, np.generic):
        return str(value.item())
    return str(value)
