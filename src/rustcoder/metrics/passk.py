"""The unbiased pass@k estimator (Chen et al. 2021) and a bootstrap interval for pass@1."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

DEFAULT_KS = (1, 10, 100)


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k samples drawn from n (c correct) is correct: 1 - C(n-c,k)/C(n,k).

    Computed as a running product, which stays exact in floating point for large n.
    """
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got k={k}, n={n}")
    if n - c < k:
        return 1.0
    product = 1.0
    for i in range(n - c + 1, n + 1):
        product *= 1.0 - k / i
    return 1.0 - product


def mean_pass_at_k(counts: Iterable[tuple[int, int]], k: int) -> float:
    """pass@k averaged over problems, from (n, c) per problem; every problem needs n >= k."""
    values = [pass_at_k(n, c, k) for n, c in counts]
    if not values:
        raise ValueError("no problems")
    return sum(values) / len(values)


def usable_ks(counts: Sequence[tuple[int, int]], wanted: Sequence[int] = DEFAULT_KS) -> list[int]:
    """The ks that every problem has enough samples for."""
    smallest = min((n for n, _ in counts), default=0)
    return [k for k in wanted if 1 <= k <= smallest]


def bootstrap_pass_at_1(
    counts: Sequence[tuple[int, int]], *, rounds: int = 2000, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval for mean pass@1, resampling problems (seeded: reproducible)."""
    if not counts:
        raise ValueError("no problems")
    return bootstrap_mean([c / n for n, c in counts], rounds=rounds, seed=seed, level=level)


def bootstrap_mean(
    values: Sequence[float], *, rounds: int = 2000, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval for the mean of `values` (one a problem or task; seeded)."""
    rng = random.Random(seed)
    size = len(values)
    means = sorted(sum(rng.choices(values, k=size)) / size for _ in range(rounds))
    tail = (1.0 - level) / 2.0
    low = means[int(tail * rounds)]
    high = means[min(rounds - 1, int((1.0 - tail) * rounds))]
    return low, high
