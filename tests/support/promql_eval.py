"""An evaluator of :mod:`tests.support.promql_parse` trees over synthetic series, as Prometheus 2.x does.

Semantics kept: an instant selector takes each series' newest sample at most
5 minutes old; a range selector the samples in ``[t - range, t]``; ``rate``
and ``increase`` handle counter resets and extrapolate to the range's edges
exactly like Prometheus's ``extrapolatedRate``; aggregations drop the metric
name and keep the ``by`` labels; a comparison filters (keeping the left-hand
values); arithmetic between vectors matches identical label sets; ``or`` adds
the right-hand elements whose label sets the left lacks; ``absent`` yields one
element (labels from the ``=`` matchers) when its argument is empty. Functions
outside that set raise ``NotImplementedError``: a rule using one cannot pass by accident.
"""

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from tests.support.promql_parse import Aggregate, Binary, Call, Expr, Number, Selector, String

LOOKBACK_SECONDS = 300.0
Labels = frozenset[tuple[str, str]]
Vector = dict[Labels, float]


@dataclass(frozen=True, slots=True)
class Series:
    """One time series: its labels (``__name__`` included) and samples ``(seconds, value)`` in time order."""

    labels: Labels
    samples: tuple[tuple[float, float], ...]


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


def _divide(a: float, b: float) -> float:
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a)
    return a / b


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _divide,
    "%": math.fmod,
}
_AGGREGATE: dict[str, Callable[[list[float]], float]] = {
    "sum": math.fsum,
    "max": max,
    "min": min,
    "avg": lambda values: math.fsum(values) / len(values),
    "count": lambda values: float(len(values)),
}


def _without_name(labels: Labels) -> Labels:
    return frozenset((k, v) for k, v in labels if k != "__name__")


def _matches(series: Series, selector: Selector) -> bool:
    labels = dict(series.labels)
    if labels.get("__name__") != selector.metric:
        return False
    for m in selector.matchers:
        value = labels.get(m.label, "")
        ok = {
            "=": value == m.value,
            "!=": value != m.value,
            "=~": re.fullmatch(m.value, value) is not None,
            "!~": re.fullmatch(m.value, value) is None,
        }[m.op]
        if not ok:
            return False
    return True


def _extrapolated_rate(samples: list[tuple[float, float]], start: float, end: float, is_rate: bool) -> float:
    first_t, first_v = samples[0]
    last_t, last_v = samples[-1]
    result = last_v - first_v
    previous = first_v
    for _, value in samples[1:]:
        if value < previous:  # a counter reset: the counter restarted from 0
            result += previous
        previous = value
    to_start, to_end = first_t - start, end - last_t
    sampled = last_t - first_t
    average = sampled / (len(samples) - 1)
    if result > 0 and first_v >= 0:
        to_start = min(to_start, sampled * (first_v / result))
    threshold = average * 1.1
    interval = sampled
    interval += to_start if to_start < threshold else average / 2
    interval += to_end if to_end < threshold else average / 2
    result *= interval / sampled
    return result / (end - start) if is_rate else result


class Evaluator:
    """Evaluates expressions at a time over a fixed set of series."""

    def __init__(self, series: list[Series]) -> None:
        self.series = series

    def instant(self, tree: Expr, at: float) -> Vector | float:
        """The value of ``tree`` at ``at`` seconds: an instant vector or a scalar."""
        if isinstance(tree, Number):
            return tree.value
        if isinstance(tree, Selector):
            if tree.range_seconds is not None:
                raise ValueError("a range selector needs a function around it")
            return self._select(tree, at)
        if isinstance(tree, Aggregate):
            return self._aggregate(tree, at)
        if isinstance(tree, Call):
            return self._call(tree, at)
        if isinstance(tree, Binary):
            return self._binary(tree, at)
        raise ValueError(f"a string is not a value: {tree}")

    def _select(self, selector: Selector, at: float) -> Vector:
        out: Vector = {}
        for s in self.series:
            recent = [v for t, v in s.samples if at - LOOKBACK_SECONDS < t <= at]
            if recent and _matches(s, selector):
                out[s.labels] = recent[-1]
        return out

    def _vector(self, tree: Expr, at: float) -> Vector:
        value = self.instant(tree, at)
        if not isinstance(value, dict):
            raise ValueError(f"expected a vector: {tree}")
        return value

    def _aggregate(self, tree: Aggregate, at: float) -> Vector:
        groups: dict[Labels, list[float]] = {}
        for labels, value in self._vector(tree.arg, at).items():
            key = frozenset((k, v) for k, v in labels if k in tree.by)
            groups.setdefault(key, []).append(value)
        return {key: _AGGREGATE[tree.op](values) for key, values in groups.items()}

    def _call(self, tree: Call, at: float) -> Vector:
        if tree.function in ("rate", "increase"):
            (arg,) = tree.args
            if not isinstance(arg, Selector) or arg.range_seconds is None:
                raise ValueError(f"{tree.function} needs a range selector")
            start = at - arg.range_seconds
            out: Vector = {}
            for s in self.series:
                window = [(t, v) for t, v in s.samples if start <= t <= at]
                if len(window) >= 2 and _matches(s, arg):
                    rate = _extrapolated_rate(window, start, at, tree.function == "rate")
                    out[_without_name(s.labels)] = rate
            return out
        if tree.function == "absent":
            (arg,) = tree.args
            if self._vector(arg, at):
                return {}
            found = arg if isinstance(arg, Selector) else None
            equal = [(m.label, m.value) for m in found.matchers if m.op == "="] if found else []
            return {frozenset(equal): 1.0}
        raise NotImplementedError(f"function {tree.function} is outside the evaluated subset")

    def _binary(self, tree: Binary, at: float) -> Vector | float:
        left, right = self.instant(tree.left, at), self.instant(tree.right, at)
        if tree.op in ("or", "and", "unless"):
            if not isinstance(left, dict) or not isinstance(right, dict):
                raise ValueError(f"{tree.op} needs vectors on both sides")
            return _set_operation(tree.op, left, right)
        if isinstance(left, float) and isinstance(right, float):
            if tree.op in _COMPARE:
                raise ValueError("a comparison of two scalars needs bool")
            return _ARITHMETIC[tree.op](left, right)
        return _vector_operation(tree.op, left, right)


def _set_operation(op: str, left: Vector, right: Vector) -> Vector:
    right_keys = {_without_name(labels) for labels in right}
    if op == "and":
        return {k: v for k, v in left.items() if _without_name(k) in right_keys}
    if op == "unless":
        return {k: v for k, v in left.items() if _without_name(k) not in right_keys}
    left_keys = {_without_name(labels) for labels in left}
    return {**left, **{k: v for k, v in right.items() if _without_name(k) not in left_keys}}


def _vector_operation(op: str, left: Vector | float, right: Vector | float) -> Vector:
    if isinstance(right, float) or isinstance(left, float):
        vector_left = isinstance(right, float)
        vector, scalar = (left, right) if vector_left else (right, left)
        assert isinstance(vector, dict)
        assert isinstance(scalar, float)
        out: Vector = {}
        for labels, value in vector.items():
            a, b = (value, scalar) if vector_left else (scalar, value)
            if op in _COMPARE:
                if _COMPARE[op](a, b):
                    out[labels] = value
            else:
                out[_without_name(labels)] = _ARITHMETIC[op](a, b)
        return out
    by_key = {_without_name(labels): value for labels, value in right.items()}
    out = {}
    for labels, value in left.items():
        key = _without_name(labels)
        if key not in by_key:
            continue
        if op in _COMPARE:
            if _COMPARE[op](value, by_key[key]):
                out[labels] = value
        else:
            out[key] = _ARITHMETIC[op](value, by_key[key])
    return out


def evaluate(tree: Expr | String, series: list[Series], at: float) -> Vector | float:
    """Shorthand: ``tree`` evaluated at ``at`` over ``series``."""
    if isinstance(tree, String):
        raise ValueError("a string is not a value")
    return Evaluator(series).instant(tree, at)
