"""Opinion and diffusion dynamics, vectorized or compiled, each returning a :class:`socialkit.Run`."""

from socialkit.dynamics._common import clusters
from socialkit.dynamics.bounded_confidence import deffuant

__all__ = ["deffuant", "clusters"]
