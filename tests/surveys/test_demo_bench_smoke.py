"""The survey benchmarks (``bench/survey_draw.py``, ``bench/survey_results.py``) still run: their
fillers and measurements on a few hundred households, in the test database. Not timed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))


def test_the_draw_benchmark_fills_checks_and_measures(capsys):
    import survey_draw

    made = survey_draw.fill_units(400, 2)
    survey_draw.fill_complaints(40, made)
    survey_draw.measure(1)
    out = capsys.readouterr().out
    assert "400 households in 2 estates" in out and "40 key households" in out
    assert "draw_sample (whole, rows written)" in out


def test_the_results_benchmark_fills_checks_and_measures(capsys):
    import survey_draw
    import survey_results

    made = survey_draw.fill_units(400, 2, customers=False)
    assert survey_results.fill_survey(made) == 200 * 15
    survey_results.measure(1)
    out = capsys.readouterr().out
    assert "results agree with the plain SQL" in out and "survey_results (every figure)" in out
