"""A parser for the subset of PromQL the alert rules and the dashboard use.

Supported: selectors with label matchers (``=``, ``!=``, ``=~``, ``!~``) and an
optional range (``[5m]``), numbers, string arguments, function calls,
aggregations (``sum``, ``max``, ``min``, ``avg``, ``count``) with ``by (...)``
before or after their argument, parentheses, the arithmetic operators and the
comparisons (filtering, no ``bool``), and ``or``/``and``/``unless``. Anything
else is a :class:`PromQLSyntaxError`, so an expression outside the subset is
noticed rather than half-understood.
"""

import re
from dataclasses import dataclass

AGGREGATIONS = frozenset({"sum", "max", "min", "avg", "count"})
# Binary operators by precedence, lowest first (PromQL's order; ^ is not supported).
_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"or"}),
    frozenset({"and", "unless"}),
    frozenset({"==", "!=", ">", "<", ">=", "<="}),
    frozenset({"+", "-"}),
    frozenset({"*", "/", "%"}),
)
_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?(?:e[+-]?\d+)?)|(?P<duration>\[\d+[smhd]\])"
    r'|(?P<string>"(?:[^"\\]|\\.)*")|(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)'
    r"|(?P<op>=~|!~|==|!=|>=|<=|[-+*/%><=(){},]))"
)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class PromQLSyntaxError(ValueError):
    """The expression is not PromQL, or uses something outside the supported subset."""


@dataclass(frozen=True, slots=True)
class Matcher:
    label: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class Selector:
    metric: str
    matchers: tuple[Matcher, ...] = ()
    range_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class String:
    value: str


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple["Expr", ...]


@dataclass(frozen=True, slots=True)
class Aggregate:
    op: str
    by: tuple[str, ...]
    arg: "Expr"


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: "Expr"
    right: "Expr"


Expr = Selector | Number | String | Call | Aggregate | Binary


def duration_seconds(text: str) -> float:
    """``"5m"`` -> 300.0 (one unit only, as rules and dashboards here write them)."""
    match = re.fullmatch(r"(\d+)([smhd])", text)
    if match is None:
        raise PromQLSyntaxError(f"unsupported duration {text!r}")
    return float(int(match.group(1)) * _SECONDS[match.group(2)])


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            raise PromQLSyntaxError(f"cannot read {text[position:]!r}")
        out.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise PromQLSyntaxError(f"unexpected end, wanted {expected or 'more'}")
        kind, value = self.tokens[self.at]
        if expected is not None and value != expected:
            raise PromQLSyntaxError(f"wanted {expected!r}, found {value!r}")
        self.at += 1
        return kind, value

    def expression(self, level: int = 0) -> Expr:
        if level == len(_LEVELS):
            return self.unary()
        left = self.expression(level + 1)
        while self.peek() in _LEVELS[level]:
            _, op = self.take()
            left = Binary(op, left, self.expression(level + 1))
        return left

    def unary(self) -> Expr:
        if self.peek() == "-":
            self.take()
            return Binary("*", Number(-1.0), self.unary())
        return self.primary()

    def primary(self) -> Expr:
        kind, value = self.take()
        if kind == "number":
            return Number(float(value))
        if kind == "string":
            return String(value[1:-1].encode().decode("unicode_escape"))
        if value == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if kind != "name":
            raise PromQLSyntaxError(f"unexpected {value!r}")
        if value in AGGREGATIONS:
            return self.aggregate(value)
        if self.peek() == "(":
            return Call(value, self.arguments())
        return self.selector(value)

    def aggregate(self, op: str) -> Aggregate:
        by = self.grouping()
        self.take("(")
        arg = self.expression()
        self.take(")")
        return Aggregate(op, by or self.grouping(), arg)

    def grouping(self) -> tuple[str, ...]:
        if self.peek() != "by":
            return ()
        self.take()
        self.take("(")
        labels: list[str] = []
        while self.peek() != ")":
            labels.append(self.take()[1])
            if self.peek() == ",":
                self.take()
        self.take(")")
        return tuple(labels)

    def arguments(self) -> tuple[Expr, ...]:
        self.take("(")
        args: list[Expr] = []
        while self.peek() != ")":
            args.append(self.expression())
            if self.peek() == ",":
                self.take()
        self.take(")")
        return tuple(args)

    def selector(self, metric: str) -> Selector:
        matchers: list[Matcher] = []
        if self.peek() == "{":
            self.take()
            while self.peek() != "}":
                label = self.take()[1]
                op = self.take()[1]
                kind, quoted = self.take()
                if op not in ("=", "!=", "=~", "!~") or kind != "string":
                    raise PromQLSyntaxError(f"bad matcher {label}{op}{quoted}")
                matchers.append(Matcher(label, op, quoted[1:-1]))
                if self.peek() == ",":
                    self.take()
            self.take("}")
        range_seconds = None
        if self.at < len(self.tokens) and self.tokens[self.at][0] == "duration":
            range_seconds = duration_seconds(self.take()[1][1:-1])
        return Selector(metric, tuple(matchers), range_seconds)


def parse(text: str) -> Expr:
    """The expression tree of ``text``; raises :class:`PromQLSyntaxError` outside the subset."""
    parser = _Parser(text)
    tree = parser.expression()
    if parser.peek() is not None:
        raise PromQLSyntaxError(f"unexpected {parser.peek()!r} after the expression")
    return tree


def selectors(tree: Expr) -> list[Selector]:
    """Every selector in ``tree``, left to right."""
    if isinstance(tree, Selector):
        return [tree]
    if isinstance(tree, Call):
        return [s for arg in tree.args for s in selectors(arg)]
    if isinstance(tree, Aggregate):
        return selectors(tree.arg)
    if isinstance(tree, Binary):
        return selectors(tree.left) + selectors(tree.right)
    return []
