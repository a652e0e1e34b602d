"""Action menus: realistic, messy replies read as meant, or missing with a reason; grammars and
schemas that admit exactly the menu."""

import json

import pytest

import socialkit as sk
from socialkit.agents import Action, ActionMenu, Number, OneOf, Text

FEED = ActionMenu([Action("post", "write a post", text=Text(30)),
                   Action("like", "like a post", post_id=OneOf(["p1", "p2", "p13"])),
                   Action("reply", "answer a post", post_id=OneOf(["p1", "p2", "p13"]),
                          text=Text(30)),
                   Action("do_nothing", "scroll on")])
LAKE = ActionMenu([Action("harvest", "catch fish", tons=Number(0, 100, integer=True)),
                   Action("rest", "do not fish this month")])

# (menu, reply, intended value or None for "must be missing")
CASES = [
    (FEED, "action: like\npost_id: p2", {"action": "like", "post_id": "p2"}),
    (FEED, "Action: LIKE\nPost_id: P13", {"action": "like", "post_id": "p13"}),
    (FEED, "**action:** like\n**post_id:** p1", {"action": "like", "post_id": "p1"}),
    (FEED, "- action: post\n- text: Vaccines saved my mum.",
     {"action": "post", "text": "Vaccines saved my mum."}),
    (FEED, "action: post\ntext: \"Great news today!\"", {"action": "post", "text": "Great news today!"}),
    (FEED, '{"action": "reply", "post_id": "p2", "text": "I agree"}',
     {"action": "reply", "post_id": "p2", "text": "I agree"}),
    (FEED, '```json\n{"action": "like", "post_id": "p1"}\n```', {"action": "like", "post_id": "p1"}),
    (FEED, '{"decision": {"action": "do_nothing"}}', {"action": "do_nothing"}),
    (FEED, "like(post_id=p13)", {"action": "like", "post_id": "p13"}),
    (FEED, "I'll go with like(p2).", {"action": "like", "post_id": "p2"}),
    (FEED, "action: like(post_id=\"p1\")", {"action": "like", "post_id": "p1"}),
    (FEED, "do_nothing", {"action": "do_nothing"}),
    (FEED, "Do nothing.", {"action": "do_nothing"}),
    (FEED, "action: do nothing", {"action": "do_nothing"}),
    (FEED, "action: do_nothing\nreason: I am tired", {"action": "do_nothing"}),
    # missing: ambiguous, unknown, incomplete, invalid
    (FEED, "I might like p2 or post something.", None),
    (FEED, "action: like\npost_id: p3", None),          # not on the feed
    (FEED, "action: like\npost_id: p1 and p2", None),
    (FEED, "action: like", None),                        # no post id
    (FEED, "action: share\npost_id: p1", None),          # unknown action
    (FEED, "action: like\naction: post\ntext: hi", None),  # two actions
    (FEED, "like(p1) and then post(hello)", None),
    (FEED, "", None),
    (FEED, "I'm sorry, I can't help with that.", None),
    (FEED, "action: post\ntext: " + "word " * 40, None),  # too long
    (FEED, "post", None),                                # needs text
    (LAKE, "action: harvest\ntons: 40", {"action": "harvest", "tons": 40}),
    (LAKE, "action: harvest\ntons: 40 tons", {"action": "harvest", "tons": 40}),
    (LAKE, "harvest(tons=12)", {"action": "harvest", "tons": 12}),
    (LAKE, '{"action": "harvest", "tons": 7}', {"action": "harvest", "tons": 7}),
    (LAKE, "action: rest", {"action": "rest"}),
    (LAKE, "action: harvest\ntons: between 20 and 30", None),   # a range is no answer
    (LAKE, "action: harvest\ntons: 150", None),                 # out of range
    (LAKE, "action: harvest\ntons: 12.5", None),                # not whole
    (LAKE, "action: harvest\ntons: a lot", None),
    (LAKE, "As a 45-year-old fisher I'd harvest.", None),
]


@pytest.mark.parametrize("menu,reply,want", CASES)
def test_messy_replies(menu, reply, want):
    got = menu.parse(reply)
    if want is None:
        assert not got.ok and got.reason, (reply, got)
    else:
        assert got.ok, (reply, got.reason)
        assert got.value == want


def test_no_confident_misreads_and_most_recovered():
    wrong = [(r, m.parse(r).value) for m, r, w in CASES if w is not None and m.parse(r).ok
             and m.parse(r).value != w]
    wrong += [(r, m.parse(r).value) for m, r, w in CASES if w is None and m.parse(r).ok]
    assert wrong == []
    meant = [(m, r, w) for m, r, w in CASES if w is not None]
    assert sum(m.parse(r).ok for m, r, _ in meant) / len(meant) >= 0.9


def test_reasons_name_the_problem():
    assert "unknown action 'share'" in FEED.parse("action: share").reason
    assert "like needs post_id" in FEED.parse("action: like").reason
    assert "'p3' is not one of" in FEED.parse("action: like\npost_id: p3").reason
    assert "several actions" in FEED.parse("action: like\naction: post").reason


def test_single_action_menus_ask_for_the_argument_only():
    say = ActionMenu([Action("message", text=Text(10))], text="What do you tell them?")
    assert "Choose one action" not in say.render()
    assert say.parse("We should wait for the facts.").value == {
        "action": "message", "text": "We should wait for the facts."}
    assert say.parse("text: Calm down").value["text"] == "Calm down"
    assert not say.parse("").ok
    catch = ActionMenu([Action("harvest", tons=Number(0, 10, integer=True))])
    assert catch.parse("I'd take 4 tons.").value == {"action": "harvest", "tons": 4}
    assert not catch.parse("between 2 and 3").ok
    assert catch.grammar() == f"root ::= {Number(0, 10, integer=True).gbnf()}"
    assert ActionMenu([Action("wait")]).trivial


def test_grammar_and_schema_cover_the_menu():
    g = LAKE.grammar()
    assert g.startswith('root ::= "action: " (') and '"harvest"' in g and '"rest"' in g
    schema = FEED.json_schema()
    options = schema["properties"]["decision"]["anyOf"]
    assert [o["properties"]["action"]["enum"] for o in options] == [
        ["post"], ["like"], ["reply"], ["do_nothing"]]
    assert options[1]["properties"]["post_id"]["enum"] == ["p1", "p2", "p13"]
    # a structured reply round-trips through the parser
    reply = json.dumps({"decision": {"action": "reply", "post_id": "p13", "text": "ok"}})
    assert FEED.parse(reply).value == {"action": "reply", "post_id": "p13", "text": "ok"}


def test_grammar_compiles_and_constrains_on_llama_cpp():
    llama_cpp = pytest.importorskip("llama_cpp")
    assert ActionMenu([Action("message", text=Text(10))]).grammar() is None  # free text
    for menu in (FEED, LAKE, ActionMenu([Action("harvest", tons=Number(0, 9, integer=True))])):
        llama_cpp.LlamaGrammar.from_string(menu.grammar(), verbose=False)


def test_text_grammar_bounds_the_words():
    """Under a grammar a text argument cannot exceed its max_words (it would then be refused
    as too long and re-asked): words of non-blank characters, single spaces, one line."""
    import re

    word = "[^ \\t\\n\\r]+"
    assert Text(1).gbnf() == word
    assert Text(5).gbnf() == word + ' (" " ' + word + "){0,4}"
    for n in (1, 2, 5):  # the same language as a Python regex
        rx = re.compile(r"[^ \t\n\r]+(?: [^ \t\n\r]+){0," + str(n - 1) + r"}\Z")
        for k in range(1, n + 3):
            text = " ".join(f"w{i}" for i in range(k))
            assert bool(rx.match(text)) == (k <= n) == Text(n).parse(text).ok, (n, k)
        assert not rx.match("two  spaces") and not rx.match("line\nbreak")
    llama_cpp = pytest.importorskip("llama_cpp")
    for menu in (ActionMenu([Action("post", stance=OneOf(["yes", "no"]), text=Text(40))]),
                 ActionMenu([Action("say", text=Text(1)), Action("wait")])):
        llama_cpp.LlamaGrammar.from_string(menu.grammar(), verbose=False)


def test_bad_menus_raise_clear_errors():
    with pytest.raises(ValueError, match="action name"):
        Action("Post")
    with pytest.raises(TypeError, match="argument tons"):
        Action("harvest", tons=5)
    with pytest.raises(ValueError, match="unique"):
        ActionMenu([Action("a"), Action("a")])
    with pytest.raises(ValueError, match="at least one"):
        ActionMenu([])
    with pytest.raises(TypeError, match="Action items"):
        ActionMenu(["post"])
    with pytest.raises(ValueError, match="differ"):
        OneOf(["p1", "P1"])
    with pytest.raises(ValueError, match="'action' cannot"):
        Action("x", action=Text())


def test_menu_is_a_question_the_session_can_ask():
    s = sk.llm.Session(sk.llm.scripted(lambda m: "action: harvest\ntons: 3"), progress=False)
    out = s.complete([{"role": "user", "content": LAKE.render()}], LAKE, key=("t", 1))
    assert (out.status, out.value) == ("ok", {"action": "harvest", "tons": 3})
    replies = iter(["action: fly", "action: rest"])
    s = sk.llm.Session(sk.llm.scripted(lambda m: next(replies)), progress=False)
    out = s.complete([{"role": "user", "content": LAKE.render()}], LAKE, key=("t", 2))
    assert (out.status, out.value) == ("repaired", {"action": "rest"})
