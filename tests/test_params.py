import pytest

from socialkit.params import Param, Schema, model


def test_float_bounds_open_and_closed():
    p = Param("eps", float, 0.2, low=0, high=1, low_open=True, doc="bound")
    assert p.validate(1) == 1.0
    assert isinstance(p.validate(1), float)
    with pytest.raises(ValueError, match=r"'eps' = 0 is out of range: allowed \(0, 1\] \(bound\)"):
        p.validate(0)
    with pytest.raises(ValueError, match="out of range"):
        p.validate(1.5)
    with pytest.raises(ValueError, match="NaN"):
        p.validate(float("nan"))
    with pytest.raises(TypeError, match="not a number"):
        p.validate("0.3")
    with pytest.raises(TypeError, match="not a number"):
        p.validate(True)


def test_int_and_choices_and_bool():
    steps = Param("steps", int, 10, low=0)
    assert steps.validate(3.0) == 3
    with pytest.raises(TypeError, match="not an integer"):
        steps.validate(2.5)
    with pytest.raises(ValueError, match=r"'steps' = -1 .*integer in \[0, inf\)"):
        steps.validate(-1)
    kind = Param("kind", str, "a", choices=["a", "b"])
    with pytest.raises(ValueError, match=r"one of \['a', 'b'\]"):
        kind.validate("c")
    flag = Param("flag", bool, False)
    assert flag.validate(1) is True
    with pytest.raises(TypeError):
        flag.validate("yes")
    with pytest.raises(TypeError, match="missing"):
        flag.validate(None)
    assert Param("opt", float, None, allow_none=True).validate(None) is None


def test_schema_unknown_and_frame():
    s = Schema([Param("a", float, 1.0, doc="first"), Param("b", int, 2)])
    with pytest.raises(TypeError, match=r"unknown parameter\(s\) \['c'\]"):
        s.validate({"c": 1})
    df = s.to_frame()
    assert df["name"].tolist() == ["a", "b"]
    assert s.defaults() == {"a": 1.0, "b": 2}
    with pytest.raises(ValueError, match="duplicate"):
        Schema([Param("a", float), Param("a", int)])
    assert "<table" in s._repr_html_()


def test_model_decorator_validates_and_converts():
    @model(Param("rate", float, 0.1, low=0, high=1), Param("steps", int, 5, low=0))
    def f(x, *, rate=0.1, steps=5):
        return x, rate, steps

    assert f(1, steps=2.0) == (1, 0.1, 2)
    assert f.schema.names == ["rate", "steps"]
    with pytest.raises(ValueError, match=r"^f: parameter 'rate' = 2 is out of range"):
        f(1, rate=2)


def test_model_decorator_checks_signature():
    with pytest.raises(TypeError, match="not in its signature"):
        @model(Param("missing", float, 1.0))
        def g(x):
            return x
    with pytest.raises(TypeError, match="differs from its schema"):
        @model(Param("a", float, 1.0))
        def h(a=2.0):
            return a
