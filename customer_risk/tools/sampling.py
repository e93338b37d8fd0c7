"""Reproducible random samples of decisions for internal audits."""

import random


def draw_sample(candidates, size, seed):
    """The ``size`` candidates a draw seeded with ``seed`` picks, sorted.

    Candidates are sorted (and deduplicated) before drawing, so the same candidates, size and
    seed always give the same sample, whatever order the database returned them in. Every
    candidate is taken when ``size`` is at least their number.

    >>> draw_sample([("b", 2), ("a", 7), ("a", 3)], 5, 1)
    [('a', 3), ('a', 7), ('b', 2)]
    """
    if size < 0:
        raise ValueError("a sample size cannot be negative")
    pool = sorted(set(candidates))
    if size >= len(pool):
        return pool
    # Not for secrets: the point of the seed is that anyone can draw the same sample again.
    return sorted(random.Random(seed).sample(pool, size))
