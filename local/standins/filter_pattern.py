"""CloudWatch Logs filter patterns, as subscription filters and account-level subscription filter
policies apply them to each log event before delivery.

Reference: CloudWatch Logs User Guide, "Filter pattern syntax for metric filters, subscription
filters, filter log events, and Live Tail":
- an empty pattern matches every log event;
- unstructured events: terms are case sensitive and all must occur ("ERROR ARGUMENTS"); `?term`
  matches events with any of the ?-terms; `-term` excludes events with the term; a term with
  characters other than letters, digits and underscore is enclosed in double quotes; `%regex%`
  matches a regular expression;
- JSON events: `{ $.selector = value }` with `=`/`!=` for strings (`*` as a wildcard) and
  `=`, `!=`, `<`, `>`, `<=`, `>=` for numbers; `IS NULL`, `NOT EXISTS`, `IS TRUE`, `IS FALSE`;
  `&&`, `||` and parentheses; an event that is not JSON does not match;
- space-delimited events: `[a, b, ..., c = 4*, d > 1000]`, fields separated by spaces, text in
  double quotes or square brackets one field, `...` any number of fields.

`parse` refuses what it cannot read (InvalidParameterException, as AWS refuses an invalid
pattern); a valid pattern outside what this module reads (JSON array wildcards `[*]`, the regex
flavour's corners) is refused too rather than matched wrongly.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any, Callable

from .errors import JsonError

Matcher = Callable[[str], bool]

_TERM = re.compile(r"[A-Za-z0-9_]+")


class PatternError(ValueError):
    pass


def refused(pattern: str, why: str) -> JsonError:
    return JsonError("InvalidParameterException", f"Invalid filter pattern {pattern!r}: {why}")


def parse(pattern: str | None) -> Matcher:
    """The matcher of `pattern`; raises InvalidParameterException when it cannot be read."""
    text = (pattern or "").strip()
    try:
        if not text:
            return lambda message: True
        if text.startswith("{"):
            return _json_pattern(text)
        if text.startswith("["):
            return _delimited_pattern(text)
        return _unstructured_pattern(text)
    except PatternError as err:
        raise refused(text, str(err)) from err


def matches(pattern: str | None, message: str) -> bool:
    return parse(pattern)(message)


# --- unstructured ---------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Tokens separated by spaces; a double-quoted phrase or a %regex% is one token."""
    out, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        start = i
        prefix = text[i] if text[i] in "?-" else ""
        i += len(prefix)
        if i < len(text) and text[i] in "\"%":
            close = text.find(text[i], i + 1)
            if close < 0:
                raise PatternError(f"unclosed {text[i]} at {i}")
            i = close + 1
        else:
            while i < len(text) and not text[i].isspace():
                i += 1
        out.append(text[start:i])
    return out


def _term_matcher(token: str) -> Matcher:
    if token.startswith('"') and token.endswith('"') and len(token) >= 2:
        phrase = token[1:-1]
        return lambda m: phrase in m
    if token.startswith("%") and token.endswith("%") and len(token) >= 2:
        try:
            rx = re.compile(token[1:-1])
        except re.error as err:
            raise PatternError(f"invalid regular expression {token}: {err}") from err
        return lambda m: rx.search(m) is not None
    if not _TERM.fullmatch(token):
        raise PatternError(
            f"the term {token!r} has characters other than letters, digits and underscore: enclose it in double quotes"
        )
    return lambda m: token in m


def _unstructured_pattern(text: str) -> Matcher:
    required: list[Matcher] = []
    excluded: list[Matcher] = []
    optional: list[Matcher] = []
    for word in _words(text):
        if word.startswith("?"):
            optional.append(_term_matcher(word[1:]))
        elif word.startswith("-") and len(word) > 1:
            excluded.append(_term_matcher(word[1:]))
        else:
            required.append(_term_matcher(word))

    def match(message: str) -> bool:
        return (
            all(t(message) for t in required)
            and not any(t(message) for t in excluded)
            and (not optional or any(t(message) for t in optional))
        )

    return match


# --- JSON -------------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\))
      | (?P<str>"(?:[^"\\]|\\.)*")
      | (?P<regex>%[^%]*%)
      | (?P<sel>\$(?:\.[A-Za-z0-9_@\-]+|\[\d+\])*)
      | (?P<word>[^\s()=!<>&|"]+)
    )""",
    re.VERBOSE,
)

_MISSING = object()


def _tokens(text: str) -> list[tuple[str, str]]:
    out, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        m = _JSON_TOKEN.match(text, i)
        if not m or m.end() == i:
            raise PatternError(f"unexpected {text[i:i + 10]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        i = m.end()
    return out


def _select(doc: Any, selector: str) -> Any:
    value = doc
    for part in re.findall(r"\.([A-Za-z0-9_@\-]+)|\[(\d+)\]", selector[1:]):
        key, index = part
        if key:
            if not isinstance(value, dict) or key not in value:
                return _MISSING
            value = value[key]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                return _MISSING
            value = value[int(index)]
    return value


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _comparison(selector: str, op: str, raw: tuple[str, str]) -> Callable[[Any], bool]:
    kind, text = raw
    if kind == "regex":
        rx = re.compile(text[1:-1])
        if op not in ("=", "!="):
            raise PatternError(f"{op} does not take a regular expression")
        return lambda doc: _string_test(_select(doc, selector), op, lambda s: rx.search(s) is not None)
    literal = json.loads(text) if kind == "str" else text
    number = _number(literal) if kind == "word" else None
    if number is not None:
        if op not in ("=", "!=", "<", ">", "<=", ">="):
            raise PatternError(f"unknown operator {op}")

        def numeric(doc: Any) -> bool:
            value = _select(doc, selector)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return op == "!=" and value is not _MISSING
            return {
                "=": value == number,
                "!=": value != number,
                "<": value < number,
                ">": value > number,
                "<=": value <= number,
                ">=": value >= number,
            }[op]

        return numeric
    if op not in ("=", "!="):
        raise PatternError(f"{op} compares numbers, not {text}")
    return lambda doc: _string_test(_select(doc, selector), op, lambda s: fnmatch.fnmatchcase(s, literal))


def _string_test(value: Any, op: str, test: Callable[[str], bool]) -> bool:
    if value is _MISSING or value is None:
        return False
    text = json.dumps(value) if isinstance(value, bool) else str(value)
    if isinstance(value, bool):
        text = text.lower()
    return test(text) if op == "=" else not test(text)


class _JsonParser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise PatternError("the pattern ends too early")
        self.i += 1
        return token

    def expression(self) -> Callable[[Any], bool]:
        left = self.conjunction()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.conjunction()
            left = (lambda a, b: lambda d: a(d) or b(d))(left, right)
        return left

    def conjunction(self) -> Callable[[Any], bool]:
        left = self.primary()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.primary()
            left = (lambda a, b: lambda d: a(d) and b(d))(left, right)
        return left

    def primary(self) -> Callable[[Any], bool]:
        kind, text = self.take()
        if (kind, text) == ("op", "("):
            inner = self.expression()
            if self.take() != ("op", ")"):
                raise PatternError("unbalanced parentheses")
            return inner
        if kind != "sel":
            raise PatternError(f"expected a selector such as $.eventName, found {text!r}")
        selector = text
        nxt = self.take()
        if nxt == ("word", "IS"):
            what = self.take()[1]
            if what == "NULL":
                return lambda d: _select(d, selector) is None
            if what in ("TRUE", "FALSE"):
                want = what == "TRUE"
                return lambda d: _select(d, selector) is want
            raise PatternError(f"IS {what}")
        if nxt == ("word", "NOT"):
            if self.take() != ("word", "EXISTS"):
                raise PatternError("NOT must be followed by EXISTS")
            return lambda d: _select(d, selector) is _MISSING
        if nxt[0] != "op" or nxt[1] in ("&&", "||", "(", ")"):
            raise PatternError(f"expected an operator after {selector}")
        value = self.take()
        if value[0] not in ("str", "word", "regex"):
            raise PatternError(f"expected a value after {selector} {nxt[1]}")
        return _comparison(selector, nxt[1], value)


def _json_pattern(text: str) -> Matcher:
    if not text.endswith("}"):
        raise PatternError("a JSON pattern ends with }")
    parser = _JsonParser(_tokens(text[1:-1]))
    test = parser.expression()
    if parser.peek() is not None:
        raise PatternError(f"unexpected {parser.peek()[1]!r}")  # type: ignore[index]

    def match(message: str) -> bool:
        try:
            doc = json.loads(message)
        except ValueError:
            return False
        return isinstance(doc, (dict, list)) and bool(test(doc))

    return match


# --- space-delimited ----------------------------------------------------------------------------


def _fields(message: str) -> list[str]:
    out, i = [], 0
    while i < len(message):
        if message[i].isspace():
            i += 1
            continue
        if message[i] in "\"[":
            close = message.find('"' if message[i] == '"' else "]", i + 1)
            end = len(message) if close < 0 else close + 1
            out.append(message[i + 1 : end - 1] if close >= 0 else message[i + 1 :])
            i = end
            continue
        start = i
        while i < len(message) and not message[i].isspace():
            i += 1
        out.append(message[start:i])
    return out


def _field_condition(text: str) -> tuple[str | None, Callable[[str], bool]]:
    """`name`, `...`, `name = 4*`, `name > 1000`, joined by && / ||."""
    text = text.strip()
    if text == "...":
        return "...", lambda v: True
    alternatives = [part.strip() for part in text.split("||")]
    name: str | None = None
    tests: list[list[Callable[[str], bool]]] = []
    for alt in alternatives:
        conj = []
        for part in alt.split("&&"):
            m = re.fullmatch(r"\s*([A-Za-z0-9_]+)\s*(?:(!=|<=|>=|=|<|>)\s*(\"[^\"]*\"|%[^%]*%|\S+))?\s*", part)
            if not m:
                raise PatternError(f"cannot read the field condition {part!r}")
            if name not in (None, m.group(1)):
                raise PatternError(f"{part!r} names another field than {name}")
            name = m.group(1)
            op, raw = m.group(2), m.group(3)
            if op is None:
                conj.append(lambda v: True)
                continue
            if raw.startswith("%"):
                rx = re.compile(raw[1:-1])
                conj.append((lambda r, o: lambda v: (r.search(v) is not None) == (o == "="))(rx, op))
                continue
            literal = raw[1:-1] if raw.startswith('"') else raw
            number = _number(literal)
            if number is not None and op not in ("=", "!="):
                conj.append(
                    (lambda n, o: lambda v: _number(v) is not None and {"<": _number(v) < n, ">": _number(v) > n, "<=": _number(v) <= n, ">=": _number(v) >= n}[o])(number, op)  # type: ignore[operator]
                )
                continue
            if op not in ("=", "!="):
                raise PatternError(f"{op} compares numbers, not {raw}")
            conj.append((lambda lit, o: lambda v: fnmatch.fnmatchcase(v, lit) == (o == "="))(literal, op))
        tests.append(conj)
    return name, lambda v: any(all(t(v) for t in conj) for conj in tests)


def _delimited_pattern(text: str) -> Matcher:
    if not text.endswith("]"):
        raise PatternError("a space-delimited pattern ends with ]")
    inner = text[1:-1].strip()
    specs = [_field_condition(part) for part in inner.split(",")] if inner else []

    def match(message: str) -> bool:
        values = _fields(message)
        return _match_fields(specs, values)

    return match


def _match_fields(specs: list[tuple[str | None, Callable[[str], bool]]], values: list[str]) -> bool:
    if not specs:
        return not values
    (name, test), rest = specs[0], specs[1:]
    if name == "...":
        return any(_match_fields(rest, values[k:]) for k in range(len(values) + 1))
    if not values:
        return False
    return test(values[0]) and _match_fields(rest, values[1:])
