"""Who meets whom: groups of agents drawn at random or by place, and rounds in which every agent
is in one group at most. Plain functions of the run's generator, for any environment."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["check_groups", "random_groups", "located_groups", "schedule", "names_and"]


def _is_int(x: Any) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool)


def names_and(names: Sequence[str]) -> str:
    """``"Ann"``, ``"Ann and Bob"``, ``"Ann, Bob and Cem"``."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def check_groups(groups: Any, where: str) -> list[list[int]]:
    """Groups of at least two distinct integer agent ids (a dict item: its ``members``);
    clear errors naming ``where`` otherwise.

    Examples
    --------
    >>> check_groups([(0, 1), {"members": [2, 3, 4]}], "pairs")
    [[0, 1], [2, 3, 4]]
    """
    if isinstance(groups, str | bytes) or not isinstance(groups, Sequence | np.ndarray):
        raise TypeError(f"{where} must be a list of groups of agent ids, got "
                        f"{type(groups).__name__}")
    out = []
    for g in groups:
        if isinstance(g, Mapping):
            g = g.get("members", ())
        if isinstance(g, str | bytes) or not isinstance(g, Sequence | np.ndarray) \
                or not all(_is_int(a) for a in g):
            raise TypeError(f"{where}: a group must be a sequence of integer agent ids, "
                            f"got {g!r}")
        g = [int(a) for a in g]
        if len(g) < 2 or len(set(g)) != len(g):
            raise ValueError(f"{where}: a group needs at least two distinct agents, got {g}")
        out.append(g)
    return out


def random_groups(rng: np.random.Generator, ids: Any, contact_rate: int = 1,
                  size: int = 2) -> list[list[int]]:
    """Random meetings: every agent of ``ids`` (in order) starts ``contact_rate`` groups with
    ``size - 1`` others drawn without replacement from the rest; a group drawn twice is kept
    once (so an agent meets about ``2 * contact_rate`` others in pairs).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> groups = random_groups(rng, [10, 11, 12, 13], contact_rate=1)
    >>> [g[0] for g in groups] == sorted(g[0] for g in groups), len(groups) <= 4
    (True, True)
    """
    ids = np.asarray(ids, dtype=np.int64)
    k = size - 1
    if len(ids) <= k:
        return []
    seen, out = set(), []
    for i, a in enumerate(ids.tolist()):
        others = np.delete(ids, i)
        for _ in range(contact_rate):
            g = [a, *rng.choice(others, size=k, replace=False).tolist()]
            key = frozenset(g)
            if key not in seen:
                seen.add(key)
                out.append(g)
    return out


def located_groups(rng: np.random.Generator, ids: Any, labels: Sequence[Any], size: int = 2,
                   p_talk: float = 1.0) -> list[list[int]]:
    """Meetings by place: the agents sharing a label (places in sorted order; None or NaN:
    nowhere) are shuffled into groups of ``size`` (a last agent alone meets no one), each kept
    with probability ``p_talk``.

    Examples
    --------
    >>> located_groups(np.random.default_rng(1), [1, 2, 3, 4], ["cafe", "park", "cafe", None])
    [[1, 3]]
    """
    ids = np.asarray(ids, dtype=np.int64)
    places: dict[str, list[int]] = {}
    for a, lab in zip(ids.tolist(), labels, strict=True):
        if lab is not None and not (isinstance(lab, float) and np.isnan(lab)):
            places.setdefault(str(lab), []).append(a)
    out = []
    for lab in sorted(places):
        here = places[lab]
        if len(here) < 2:
            continue
        order = rng.permutation(len(here))
        members = [here[i] for i in order]
        for s in range(0, len(members), size):
            g = members[s:s + size]
            if len(g) < 2:
                continue
            if p_talk >= 1 or rng.random() < p_talk:
                out.append(g)
    return out


def schedule(items: Sequence[Any], key: Callable[[Any], Sequence[int]] = lambda g: g
             ) -> list[list[Any]]:
    """Rounds in which every agent takes part once at most: each item (a group, or anything
    whose ``key`` gives its members) goes to the first round where its members are free.

    Examples
    --------
    >>> schedule([(0, 1), (1, 2), (3, 4), (0, 2)])
    [[(0, 1), (3, 4)], [(1, 2)], [(0, 2)]]
    """
    rounds: list[tuple[set, list]] = []
    for item in items:
        members = key(item)
        for busy, batch in rounds:
            if busy.isdisjoint(members):
                busy.update(members)
                batch.append(item)
                break
        else:
            rounds.append((set(members), [item]))
    return [batch for _, batch in rounds]
