"""How the executor cuts work into batches."""

import pytest

from rustcoder.execute.engine import balanced_chunks


@pytest.mark.parametrize(
    ("count", "cap", "workers", "sizes"),
    [
        (164, 96, 2, [82, 82]),  # one crate per core
        (164, 48, 2, [41, 41, 41, 41]),  # not 48 + 48 + 48 + 20
        (164, 24, 2, [21, 21, 21, 21, 20, 20, 20, 20]),
        (1000, 96, 2, [84] * 4 + [83] * 8),
        (3, 96, 2, [2, 1]),
        (1, 96, 4, [1]),
        (5, 96, 8, [1] * 5),  # never an empty chunk
        (0, 96, 2, []),
    ],
)
def test_batches_are_balanced_and_fill_every_worker(count, cap, workers, sizes):
    chunks = balanced_chunks(list(range(count)), cap, workers)
    assert [len(c) for c in chunks] == sizes
    assert [x for c in chunks for x in c] == list(range(count))  # in order, nothing lost
