"""The mixed-integer model, HiGHS, warm starts, whole-yuan rounding and the run pipeline."""

from __future__ import annotations

from typing import Any

from pyomo.common import dependencies as _pyomo_dependencies


def _sparse_only(module: Any, available: bool) -> None:
    if available:
        import scipy.sparse  # noqa: F401 (the only part of SciPy Pyomo's compiler uses)


# When SciPy is first imported, Pyomo's hook also imports scipy.stats, integrate and
# spatial "to have them present": about 0.6 s of every run (a quarter of a county's
# whole process), for modules nothing here uses. SciPy loads those lazily on first
# access anyway, so the hook only needs scipy.sparse. (Pyomo is pinned; this reaches
# into its import hook, checked by tests/test_layering.py.)
if _pyomo_dependencies.scipy_available._callback is _pyomo_dependencies._finalize_scipy:
    _pyomo_dependencies.scipy_available._callback = _sparse_only
