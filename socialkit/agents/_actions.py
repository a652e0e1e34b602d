"""Typed action menus: what an agent may do, rendered into the prompt, parsed without guessing.

An :class:`ActionMenu` is a :class:`socialkit.llm.Question`, so decisions go through the same
session, cache, re-asks and constrained decoding as survey questions. A reply is read as
``action: <name>`` followed by ``<argument>: <value>`` lines, a JSON object
(``{"action": "like", "post_id": "p3"}``, the structured-output form) or a call
(``harvest(tons=40)``). Anything else, and anything ambiguous (two actions, an unknown name, a
missing or invalid argument), is missing with its reason; the agent is then re-asked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from socialkit._format import fmt
from socialkit.llm import parsing as P
from socialkit.llm.questions import FreeText, Numeric, Parsed, Question

__all__ = ["Arg", "Text", "Number", "OneOf", "Action", "ActionMenu"]

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{what} must be a lower-case identifier (letters, digits, '_', starting "
                         f"with a letter), got {name!r}")
    return name


def _strip(value: Any) -> str:
    text = P.clean(value) if value is not None else ""
    return text.strip().strip("`").strip()


class Arg:
    """A typed argument of an action."""

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def parse(self, raw: Any) -> Parsed:  # pragma: no cover - abstract
        raise NotImplementedError

    def gbnf(self) -> str:  # pragma: no cover - abstract
        """The GBNF expression of a valid value (one line, no line breaks)."""
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def tokens(self) -> int:
        return 16

    def spec(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "describe": self.describe()}


class Text(Arg):
    """Free text of at most ``max_words`` words (one line).

    Examples
    --------
    >>> Text(5).parse('"Hello there"').value
    'Hello there'
    """

    def __init__(self, max_words: int = 50):
        self._q = FreeText("text", max_words=max_words)
        self.max_words = max_words

    def describe(self) -> str:
        return f"text of at most {self.max_words} words"

    def parse(self, raw: Any) -> Parsed:
        return self._q.parse(_strip(raw))

    def gbnf(self) -> str:
        """One line of at most ``max_words`` words (single spaces between them), so a reply
        decoded under the grammar is never refused as too long."""
        word = "[^ \\t\\n\\r]+"
        if self.max_words == 1:
            return word
        return f'{word} (" " {word}){{0,{self.max_words - 1}}}'

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}

    def tokens(self) -> int:
        return 2 * self.max_words + 8


class Number(Arg):
    """A number from ``low`` to ``high`` (a whole number with ``integer=True``), read by
    :class:`socialkit.Numeric`'s parser (no guessing from ranges, other scales or persona
    numbers).

    Examples
    --------
    >>> Number(0, 100, integer=True).parse("40 tons").value
    40
    >>> Number(0, 100).parse("between 20 and 30").ok
    False
    """

    def __init__(self, low: float, high: float, integer: bool = False):
        self._q = Numeric("value", low, high, integer=integer)
        self.low, self.high, self.integer = self._q.low, self._q.high, integer

    def describe(self) -> str:
        kind = "a whole number" if self.integer else "a number"
        return f"{kind} from {fmt(self.low)} to {fmt(self.high)}"

    def parse(self, raw: Any) -> Parsed:
        return self._q.parse(_strip(raw))

    def gbnf(self) -> str:
        return _body(self._q.grammar())

    def schema(self) -> dict[str, Any]:
        return {"type": "integer" if self.integer else "number"}


class OneOf(Arg):
    """One of a list of identifiers (post ids, agent names, ...), matched exactly (case aside).

    Examples
    --------
    >>> OneOf(["p1", "p2"]).parse("P2.").value, OneOf(["p1", "p2"]).parse("p12").reason
    ('p2', "'p12' is not one of p1, p2")
    """

    def __init__(self, options: Sequence[Any]):
        opts = [str(o).strip() for o in options]
        if not opts or any(not o or "\n" in o for o in opts):
            raise ValueError(f"OneOf needs a non-empty list of one-line options, got {options!r}")
        if len({o.lower() for o in opts}) != len(opts):
            raise ValueError(f"OneOf options must differ (case aside), got {opts}")
        self.options = opts
        self._lower = {o.lower(): o for o in opts}

    def describe(self) -> str:
        shown = ", ".join(self.options[:20]) + (", ..." if len(self.options) > 20 else "")
        return f"one of {shown}"

    def parse(self, raw: Any) -> Parsed:
        text = _strip(raw).strip("'\"#").rstrip(".!,;").strip()
        if not text:
            return Parsed(False, reason="empty value")
        hit = self._lower.get(text.lower())
        if hit is None:
            shown = ", ".join(self.options[:10]) + (", ..." if len(self.options) > 10 else "")
            return Parsed(False, reason=f"{text[:40]!r} is not one of {shown}")
        return Parsed(True, hit)

    def gbnf(self) -> str:
        return "(" + " | ".join(json.dumps(o) for o in self.options) + ")"

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.options)}

    def spec(self) -> dict[str, Any]:
        return {"type": "OneOf", "options": list(self.options)}


def _body(grammar: str) -> str:
    if "\n" in grammar.strip() or not grammar.startswith("root ::= "):
        raise ValueError(f"cannot embed grammar {grammar!r}")
    return "(" + grammar[len("root ::= "):].strip() + ")"


class Action:
    """One action of a menu: a name, what it does, and typed arguments.

    Parameters
    ----------
    name : str
        Lower-case identifier (``post``, ``do_nothing``).
    description : str
        What it does, shown in the menu.
    **args : Arg
        Its arguments (:class:`Text`, :class:`Number`, :class:`OneOf`), in order (``name``
        and ``description`` are positional, so arguments may have those names too).

    Examples
    --------
    >>> Action("harvest", "catch fish from the lake", tons=Number(0, 100)).signature()
    'harvest(tons)'
    """

    def __init__(self, name: str, description: str = "", /, **args: Arg):
        self.name = _check_name(name, "action name")
        if not isinstance(description, str):
            raise TypeError(f"action {name}: description must be a string")
        self.description = description.strip()
        for a, t in args.items():
            _check_name(a, f"action {name}: argument name")
            if a == "action":
                raise ValueError(f"action {name}: 'action' cannot be an argument name")
            if not isinstance(t, Arg):
                raise TypeError(f"action {name}: argument {a} must be a socialkit.agents Text, "
                                f"Number or OneOf, got {type(t).__name__}")
        self.args: dict[str, Arg] = dict(args)

    def signature(self) -> str:
        return f"{self.name}({', '.join(self.args)})" if self.args else self.name

    def line(self) -> str:
        parts = [f"- {self.signature()}"]
        if self.description:
            parts.append(f": {self.description}")
        if self.args:
            parts.append(" (" + "; ".join(f"{a}: {t.describe()}" for a, t in self.args.items())
                         + ")")
        return "".join(parts)

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "args": {a: t.spec() for a, t in self.args.items()}}

    def __repr__(self) -> str:
        return f"Action({self.signature()})"


_LINE = re.compile(r"^\s*(?:[-*>]\s*)?([A-Za-z][\w ]{0,30}?)\s*[:=]\s*(.*?)\s*$")
_CALL = re.compile(r"\b([a-z][a-z0-9_]*)\s*\(([^()]*)\)")
_KV = re.compile(r"([a-z][a-z0-9_]*)\s*=\s*(\"[^\"]*\"|'[^']*'|[^,]+)")


def _norm(name: str) -> str:
    text = _strip(name).strip("'\"").rstrip(".!,;").strip().lower()
    text = re.sub(r"\(\s*\)$", "", text).strip()
    return re.sub(r"[\s\-]+", "_", text)


class ActionMenu(Question):
    """The typed menu of one decision: a question whose answer is one action and its arguments.

    The parsed value is a dict ``{"action": name, <argument>: value, ...}``. A menu with a single
    action asks only for its argument when it has one (a single :class:`Text` argument becomes a
    free-text question, a :class:`Number` a numeric one) and needs no call when it has none.

    Parameters
    ----------
    actions : sequence of Action
    text : str
        The situation or question put before the menu.
    name : str
        Name in results (``"action"``).

    Examples
    --------
    >>> menu = ActionMenu([Action("post", "write a post", text=Text(20)),
    ...                    Action("like", "like a post", post_id=OneOf(["p1", "p2"])),
    ...                    Action("do_nothing", "scroll on")])
    >>> menu.parse("action: like\\npost_id: p2").value
    {'action': 'like', 'post_id': 'p2'}
    >>> menu.parse('{"action": "post", "text": "Nice weather"}').value
    {'action': 'post', 'text': 'Nice weather'}
    >>> menu.parse("I might like p2 or post something.").reason
    "no 'action:' line naming one of post, like, do_nothing"
    """

    kind = "action_menu"

    def __init__(self, actions: Sequence[Action], text: str = "What do you do now?",
                 name: str = "action"):
        actions = list(actions)
        if not actions:
            raise ValueError("an ActionMenu needs at least one action")
        bad = [a for a in actions if not isinstance(a, Action)]
        if bad:
            raise TypeError(f"ActionMenu takes socialkit.agents.Action items, got "
                            f"{type(bad[0]).__name__}")
        names = [a.name for a in actions]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"ActionMenu: action names must be unique, repeated: {dup}")
        self.actions = {a.name: a for a in actions}
        self._trivial: bool | None = None
        only = actions[0] if len(actions) == 1 else None
        self._single = only if only is not None and len(only.args) == 1 else None
        tokens = max(sum(t.tokens() for t in a.args.values()) + 8 * (len(a.args) + 1)
                     for a in actions)
        super().__init__(text, name, max_tokens=tokens + 8)

    # ---- what the model sees ---------------------------------------------------------------
    @property
    def trivial(self) -> bool:
        """One action without arguments: nothing to ask."""
        got = getattr(self, "_trivial", None)  # (asked for every agent every step: found once)
        if got is None:
            got = self._trivial = len(self.actions) == 1 and \
                not next(iter(self.actions.values())).args
        return got

    def instructions(self) -> str:
        if self._single is not None:
            (arg, t), = self._single.args.items()
            head = f"({self._single.description}) " if self._single.description else ""
            if isinstance(t, Text):  # as a free-text question asks
                return f"{head}Answer in at most {t.max_words} words."
            return f"{head}Answer with {t.describe()}, nothing else."
        lines = ["Choose one action:"] + [a.line() for a in self.actions.values()]
        lines.append("Reply with 'action: <name>' on the first line, then one '<argument>: "
                     "<value>' line per argument.")
        return "\n".join(lines)

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "actions": [a.spec() for a in self.actions.values()]}

    def grammar(self) -> str | None:
        """A GBNF grammar admitting exactly the menu's valid replies (line format); None for a
        single free-text answer.

        Examples
        --------
        >>> print(ActionMenu([Action("wait"), Action("say", text=Text(5))]).grammar())
        root ::= "action: " ("wait" | "say" "\\n" "text: " [^ \\t\\n\\r]+ (" " [^ \\t\\n\\r]+){0,4})
        """
        if self._single is not None:
            (_, t), = self._single.args.items()
            if isinstance(t, Text):  # free text, as a FreeText question: no grammar (grammar
                return None          # sampling costs time per token and free text needs none)
            return f"root ::= {t.gbnf()}"
        alts = []
        for a in self.actions.values():
            parts = [json.dumps(a.name)]
            for arg, t in a.args.items():
                parts += ['"\\n"', json.dumps(f"{arg}: "), t.gbnf()]
            alts.append(" ".join(parts))
        return 'root ::= "action: " (' + " | ".join(alts) + ")"

    def json_schema(self) -> dict[str, Any] | None:
        """The structured-output schema: ``{"decision": {"action": ..., <args>}}``; None for a
        single free-text answer (as a FreeText question: a schema would only wrap the text in
        JSON, at a cost in every call)."""
        if self._single is not None:
            (arg, t), = self._single.args.items()
            if isinstance(t, Text):
                return None
            return {"type": "object", "properties": {"answer": t.schema()},
                    "required": ["answer"], "additionalProperties": False}
        options = []
        for a in self.actions.values():
            props = {"action": {"type": "string", "enum": [a.name]},
                     **{arg: t.schema() for arg, t in a.args.items()}}
            options.append({"type": "object", "properties": props,
                            "required": ["action", *a.args], "additionalProperties": False})
        return {"type": "object", "properties": {"decision": {"anyOf": options}},
                "required": ["decision"], "additionalProperties": False}

    # ---- reading replies -------------------------------------------------------------------
    def parse(self, reply: Any) -> Parsed:
        if reply is None or not str(reply).strip():
            return Parsed(False, reason="empty answer")
        if self._single is not None:
            return self._parse_single(str(reply))
        raw = str(reply)
        found = self._from_json(raw)
        if found is None:
            found = self._from_lines(raw)
        if found is None:
            found = self._from_call(raw)
        if isinstance(found, Parsed):
            return found
        if found is None:
            return Parsed(False, reason="no 'action:' line naming one of "
                                        + ", ".join(self.actions))
        name, args = found
        return self._check(name, args)

    def _parse_single(self, reply: str) -> Parsed:
        (arg, t), = self._single.args.items()
        text, cleaned, whole = reply, P.clean(reply), True
        inner = P.json_answer(cleaned)
        if inner is not None:
            text, whole = inner, False
        else:  # "text: ..." or "say: ..." prefixes
            m = _LINE.match(cleaned)
            if m and _norm(m.group(1)) in (arg, self._single.name, "answer"):
                text, whole = m.group(2), False
        if whole and type(t) is Text:  # t.parse(reply), with the clean() done above
            got = t._q.parse(cleaned.strip().strip("`").strip())
        else:
            got = t.parse(text)
        if not got.ok:
            return got
        return Parsed(True, {"action": self._single.name, arg: got.value})

    def _from_json(self, raw: str):
        for blob in re.findall(r"\{.*\}", raw, re.S)[:1]:
            try:
                obj = json.loads(blob)
            except ValueError:
                return None
            if isinstance(obj, dict) and isinstance(obj.get("decision"), dict):
                obj = obj["decision"]
            if not isinstance(obj, dict) or "action" not in obj:
                return None
            name = obj["action"]
            if not isinstance(name, str):
                return Parsed(False, reason=f"action is not a name: {name!r}")
            return _norm(name), {str(k).lower(): v for k, v in obj.items() if k != "action"}
        return None

    def _from_lines(self, raw: str):
        pairs: dict[str, list[str]] = {}
        for line in raw.splitlines():
            m = _LINE.match(line.replace("**", "").replace("__", ""))
            if m:
                pairs.setdefault(_norm(m.group(1)), []).append(m.group(2))
        if "action" not in pairs:
            return None
        names = {_norm(v) for v in pairs["action"]}
        if len(names) > 1:
            return Parsed(False, reason=f"several actions named: {sorted(names)}")
        first = P.clean(pairs["action"][0])
        m = re.fullmatch(r"([A-Za-z][\w]*)\s*\((.*)\)\.?", first)
        args = {k: v[0] for k, v in pairs.items() if k != "action"}
        if m and m.group(1).lower() in self.actions:  # "action: harvest(tons=40)"
            return self._call_args(m.group(1).lower(), m.group(2), args)
        return names.pop(), args

    def _from_call(self, raw: str):
        text = P.clean(raw)
        hits = [(m.group(1), m.group(2)) for m in _CALL.finditer(text.lower())
                if m.group(1) in self.actions]
        if len({h[0] for h in hits}) > 1:
            return Parsed(False, reason=f"several actions named: {sorted({h[0] for h in hits})}")
        if hits:
            name = hits[0][0]
            start = text.lower().index(name + "(") if name + "(" in text.lower() else None
            inner = hits[0][1] if start is None else re.match(
                r"[^(]*\(([^()]*)\)", text[start:]).group(1)
            return self._call_args(name, inner, {})
        bare = _norm(text)
        if bare in self.actions:
            return bare, {}
        return None

    def _call_args(self, name: str, inner: str, args: dict[str, Any]):
        inner = inner.strip()
        action = self.actions[name]
        if not inner:
            return name, args
        kv = dict((k.lower(), v.strip()) for k, v in _KV.findall(inner))
        if kv:
            return name, {**args, **kv}
        if len(action.args) == 1:
            (arg,) = action.args
            return name, {**args, arg: inner}
        return Parsed(False, reason=f"{name}(...) needs named arguments "
                                    f"{', '.join(f'{a}=' for a in action.args)}")

    def _check(self, name: str, args: dict[str, Any]) -> Parsed:
        action = self.actions.get(name)
        if action is None:
            return Parsed(False, reason=f"unknown action {name[:30]!r}; the menu has "
                                        + ", ".join(self.actions))
        out: dict[str, Any] = {"action": name}
        for arg, t in action.args.items():
            if arg not in args or args[arg] is None or str(args[arg]).strip() == "":
                return Parsed(False, reason=f"{name} needs {arg} ({t.describe()})")
            got = t.parse(args[arg])
            if not got.ok:
                return Parsed(False, reason=f"{name} {arg}: {got.reason}")
            out[arg] = got.value
        return Parsed(True, out)
