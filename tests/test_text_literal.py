"""Field values print literally: markup characters, template tags, line breaks, diacritics."""

from __future__ import annotations

from conftest import docx_text, drop, example, pdf_text, run, squash

from pipeline.core.config import Settings
from pipeline.stages.convert import Converter

TRICKY = 'A & B <i>x</i> "cudzysłów" \'apostrof\' {{ 7*7 }} {% if true %}T{% endif %} {_{ x }_} {# c #}'


def test_values_render_literally(settings: Settings, converter: Converter) -> None:
    text = example(1).read_text(encoding="utf-8")
    text = text.replace("adres: ul. Źródlana 7 m. 3, 66-210 Łęgowo Śląskie",
                        "adres: '" + TRICKY.replace("'", "''") + "'")
    text = text.replace("uzasadnienie: |-\n",
                        "uzasadnienie: |-\n  Pierwszy wiersz: zażółć gęślą jaźń ZAŻÓŁĆ GĘŚLĄ JAŹŃ\n"
                        "  Drugi wiersz\n")
    [outcome] = run(settings, converter, drop(settings, "trudne.yaml", text))
    assert outcome.status == "przyjety", outcome.problems
    assert outcome.filed
    docx = docx_text(outcome.filed.docx)
    assert TRICKY in docx
    assert "49" not in docx.split("Adres zamieszkania rodziny")[1][:200]  # not evaluated
    assert "Pierwszy wiersz: zażółć gęślą jaźń ZAŻÓŁĆ GĘŚLĄ JAŹŃ\nDrugi wiersz" in docx
    pdf = pdf_text(outcome.filed.pdf)
    assert squash(TRICKY) in squash(pdf)
    assert "zażółć gęślą jaźń ZAŻÓŁĆ GĘŚLĄ JAŹŃ" in pdf
    lines = pdf.splitlines()
    first = next(i for i, line in enumerate(lines) if "Pierwszy wiersz" in line)
    assert lines[first + 1].startswith("Drugi wiersz")  # the line break survives
