"""The one result Table (fastcode._util.tables) and the one progress line (fastcode._progress)."""
import io
import math

import numpy as np
import pytest

from fastcode._progress import Progress, terminal_progress
from fastcode._util.tables import Flagged, Table, by_name, fixed_cell, general_cell, spec_cell


# ----------------------------------------------------------------------------- cell writers

@pytest.mark.parametrize("value, text", [
    ("abc", "abc"), (7, "7"), (np.int64(-3), "-3"), (math.inf, "inf"), (-math.inf, "inf"),
    (0.0, "0.000"), (12.3456, "12.346"), (123.456, "123.5"), (1234.5, "1234"),
    (123456.0, "1.23e+05"), (0.000123, "0.000123"), (np.float64(0.5), "0.500"),
])
def test_general_cell(value, text):
    assert general_cell(value) == text


@pytest.mark.parametrize("value, text", [
    ("x", "x"), (np.int32(12), "12"), (math.inf, "inf"), (0.0, "0.000"), (3.14159, "3.142"),
    (12345.678, "12345.7"), (0.123456, "0.1235"), (0.000123456, "0.000123"), (-250.0, "-250.0"),
])
def test_fixed_cell(value, text):
    assert fixed_cell(value) == text


def test_spec_cell_formats_floats_only():
    write = spec_cell(".4g")
    assert write(np.float64(1 / 3)) == "0.3333" and write(3) == "3" and write("s") == "s"


def test_flagged_prints_its_mark_and_computes_as_a_float():
    v = Flagged(12.5)
    assert v == 12.5 and v + 1 == 13.5 and float(v) == 12.5
    t = Table("t", ["a"], [(v,), (Flagged(2.0, mark="!"),)])
    assert t.format().splitlines()[3:] == ["12.500*", " 2.000!"]


# ----------------------------------------------------------------------------- layout

def test_grid_layout_right_aligned_under_a_rule():
    t = Table("Title", ["N", "mu", "name"], [(5, 1.0, "x"), (10, 0.25, "long")], ["a note"])
    assert t.format() == ("Title\n"
                          " N     mu  name\n"
                          "--  -----  ----\n"
                          " 5  1.000     x\n"
                          "10  0.250  long\n"
                          "a note")


def test_per_column_formats_headers_left_and_groups():
    t = Table("", ["n", "a", "b", "c"], [(10, 0.5, 0.25, 1.0)],
              formats={"n": "2d", "a": "4.2f", "b": "7.4f", "c": "g"},
              headers={"b": "bee"}, left=("b",), groups=(2, 2))
    assert t.format() == (" n     a | bee      c\n"
                          "---------+-----------\n"
                          "10  0.50 |  0.2500  1")


def test_table_without_columns_is_its_title_and_notes():
    assert Table("Section", (), notes=["line 1", "line 2"]).format() == "Section\nline 1\nline 2"


def test_custom_layout_keeps_the_data():
    t = Table("T", ["k", "v"], [(1, 2.0), (2, 3.0)], layout=lambda tab: f"{tab.title}: {sum(tab.column('v'))}")
    assert t.format() == "T: 5.0"
    assert t.column("k") == [1, 2]


def test_column_name_plot_data_failures_and_by_name():
    a = Table("A", ["x"], [(1,), (2,)], name="a", plot_data={"curve": [1, 2]}, failures=2)
    b = Table("B", ["y"], name="b")
    assert a.column("x") == [1, 2] and a.plot_data["curve"] == [1, 2] and a.failures == 2
    assert b.rows == [] and b.failures == 0 and b.plot_data == {}
    assert by_name([a, b]) == {"a": a, "b": b}
    with pytest.raises(ValueError):
        a.column("nope")


@pytest.mark.parametrize("kwargs", [dict(formats={"zz": "g"}), dict(headers={"zz": "Z"}),
                                    dict(left=("zz",)), dict(groups=(1, 2))])
def test_bad_options_are_refused(kwargs):
    with pytest.raises(ValueError):
        Table("t", ["a", "b"], [(1, 2)], **kwargs)


def test_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="a row of 1 values for 2 columns"):
        Table("t", ["a", "b"], [(1,)])


# ----------------------------------------------------------------------------- progress

class FakeTty(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_on_a_terminal_and_clears():
    tty = FakeTty()
    with Progress("job", total=2, stream=tty) as p:
        p.step("first")
        p.stage("part")(2, 2, "second")
    text = tty.getvalue()
    assert "[job] [###############...............] 1/2 first" in text
    assert "2/2 part: second" in text
    assert text.endswith("\r\x1b[K")                 # erased when the block ends


def test_progress_is_silent_off_a_terminal_unless_forced():
    log = io.StringIO()
    p = Progress("job", total=3, stream=log)
    p.step("x")
    p.note("a message")
    p.clear()
    assert log.getvalue() == "" and p.done == 1
    forced = Progress("job", enabled=True, stream=log)
    forced.note("kept")
    assert log.getvalue() == "kept\n"               # no cursor codes when nothing was drawn
    assert terminal_progress(io.StringIO()) is None
    assert isinstance(terminal_progress(FakeTty()), Progress)


def test_note_erases_the_status_line_first():
    tty = FakeTty()
    p = Progress(stream=tty)
    p(1, 4, "a")
    p.note("message")
    text = tty.getvalue()
    assert "] 1/4 a" in text and text.endswith("\r\x1b[Kmessage\n")
