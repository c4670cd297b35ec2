"""Map a function over items in forked worker processes that share the parent's memory.

Training and evaluation fit many models on features computed once (about 1.2 GB for the
real gold). Forked workers read those features where the parent left them, so nothing is
pickled but each item's index and result: the function may be a closure over any data.
Fork is used on Linux only (macOS has it too, but its system libraries may hang a forked
child); elsewhere, or with ``jobs`` 1, the items are mapped in this process. The results are
the same either way, in the order of ``items``.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import sys
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

# the work every worker reads: set before the pool forks, cleared after
_WORK: dict[str, Any] = {}


def forked_map(function: Callable[[Any], Any], items: Sequence[Any], jobs: int = 1) -> list[Any]:
    """``[function(item) for item in items]``, in ``jobs`` forked processes where possible."""
    if jobs <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    if not sys.platform.startswith("linux"):
        log.warning("%d jobs ignored: forked workers are used on Linux only", jobs)
        return [function(item) for item in items]
    if _WORK:  # called inside a worker, whose siblings already fill the cores
        return [function(item) for item in items]
    _WORK.update(function=function, items=items)
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(items)),
                                 mp_context=multiprocessing.get_context("fork"),
                                 initializer=_one_thread) as pool:
            return list(pool.map(_call, range(len(items))))
    finally:
        _WORK.clear()


def _one_thread() -> None:
    """A worker's numerical libraries use one thread each: the workers already fill the cores."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def _call(index: int) -> Any:
    try:
        return _WORK["function"](_WORK["items"][index])
    except Exception as error:
        if _travels(error):
            raise
        text = traceback.format_exc()
    # raised outside the handler, so that no unpicklable error rides along as its context
    # (tblib, which Dask imports, pickles an error's context too)
    raise RuntimeError(f"in a forked worker:\n{text}")


def _travels(error: Exception) -> bool:
    """Whether ``error`` survives pickling: else the parent would only see a broken pool."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any failure means it cannot travel
        return False
    return True
