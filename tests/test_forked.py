"""pipeline.forked: fits shared across forked workers give the results of one process."""

import os
import sys

import pytest

from pipeline.forked import forked_map

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux only")


@linux_only
def test_a_closure_over_unpicklable_data_maps_in_order_in_other_processes() -> None:
    with open(os.devnull) as reader:  # a file cannot be pickled
        features = {"offsets": list(range(100)), "reader": reader}

        def row(k: int) -> tuple[int, int]:
            return features["offsets"][k] * 2, os.getpid()

        results = forked_map(row, [5, 1, 9, 3, 7, 0], jobs=2)
    assert [value for value, _ in results] == [10, 2, 18, 6, 14, 0]
    assert os.getpid() not in {pid for _, pid in results}


@linux_only
def test_a_worker_that_maps_again_maps_in_itself() -> None:
    def inner(k: int) -> list[int]:
        return forked_map(lambda j: (j, os.getpid()), [k, k + 1], jobs=2)

    outer = forked_map(inner, [0, 10], jobs=2)
    assert [[j for j, _ in pairs] for pairs in outer] == [[0, 1], [10, 11]]
    for pairs in outer:  # each pair computed in its worker, none forked further
        assert len({pid for _, pid in pairs}) == 1


def test_one_job_maps_here() -> None:
    assert forked_map(lambda k: (k, os.getpid()), [2, 4], jobs=1) == [(2, os.getpid()), (4, os.getpid())]


class Unpicklable(Exception):
    def __init__(self, stage: str, reason: str) -> None:  # pickle cannot rebuild it from args
        super().__init__(f"{stage}: {reason}")


@linux_only
def test_a_worker_error_that_cannot_travel_arrives_as_text() -> None:
    def fail(k: int) -> int:
        if k == 3:
            raise Unpicklable("units", "no model")
        return k

    with pytest.raises(RuntimeError, match="Unpicklable: units: no model"):
        forked_map(fail, [1, 3], jobs=2)
    with pytest.raises(ValueError, match="7"):
        forked_map(lambda k: int(f"x{k}") if k == 7 else k, [1, 7], jobs=2)
