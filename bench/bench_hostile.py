"""Benchmark: hostile files of every shape, each about 1 MB (not a test: timings are noisy).

    .venv/bin/python bench/bench_hostile.py [--tylko NAZWA] [--limit-s 5]

Each shape is read, parsed and validated as the pipeline does it (intake → parse →
validate, then the rejection with its explanation written to inbox/odrzucone/), with
LibreOffice never started (no shape is a valid form). Prints the time, the number of
problems listed and the size of the explanation; exits 1 when a shape takes longer
than --limit-s. tests/test_bounds.py runs the same shapes with a generous bound.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.config import parse_config  # noqa: E402
from pipeline.flow.process import process_files  # noqa: E402
from pipeline.sprawa.schemas import package_data  # noqa: E402
from pipeline.stages.convert import Converter  # noqa: E402

SIZE = 1_000_000  # bytes; the limit for a text form is 1024 KB
EXAMPLE_8 = (package_data("formularze") / "przyklady" / "zal08.yaml").read_text(encoding="utf-8")
HEAD_8 = EXAMPLE_8.split("kontakty:")[0]  # a valid attachment 8 up to its contact list


def _fill(head: str, line: str, tail: str = "") -> str:
    """`head`, then `line` (with {i}) repeated until the file is about SIZE bytes."""
    out, size, i = [head], len(head.encode()), 0
    while size < SIZE - len(tail):
        text = line.format(i=i)
        out.append(text)
        size += len(text.encode())
        i += 1
    return "".join(out) + tail


def _json_8(**extra: object) -> dict[str, object]:
    import yaml

    data = yaml.safe_load(EXAMPLE_8.replace("kontakty:", "kontakty_:", 1).split("kontakty_:")[0])
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    data["wizyty"] = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in w.items()}
                      for w in data["wizyty"]]
    return {**data, **extra}


def _yaml_aliases() -> str:
    items = "".join("- x\n" for _ in range(9_000))  # below the parser's 10 000
    aliases = "".join(f"p{i}: *a\n" for i in range(48))
    return ("zalacznik: 8\nrodzina: K-2025-014\ndata: 2025-04-30\n"
            f"lista: &a\n{items}kontakty: *a\nwizyty: *a\n{aliases}")


def _yaml_problems() -> str:
    item = "- {data: 2025-02-30, instytucja: '', forma: list, cel: '', osoba_kontaktowa: [1]}\n"
    return HEAD_8 + "kontakty:\n" + item * 60


def _json_deep() -> str:
    depth = SIZE // 2 - 200
    return json.dumps(_json_8())[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"


def _pdf_fields(count: int = 60_000) -> bytes:
    """A PDF whose form has `count` text fields (a real form has at most a few hundred)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>",
               b"<< /Type /Pages /Kids [] /Count 0 >>",
               b"<< /Fields [" + b" ".join(f"{i + 4} 0 R".encode() for i in range(count)) + b"] >>"]
    objects += [f"<< /FT /Tx /T (p{i}) /V (x) >>".encode() for i in range(count)]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _pdf_long_value() -> bytes:
    """The real attachment 8 form with a 5 MB value in one field."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    from pipeline.forms import build_form

    settings = parse_config({}, Path(tempfile.gettempdir()))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build_form(8, settings))))
    for field in writer._root_object["/AcroForm"]["/Fields"]:
        field = field.get_object()
        if field.get("/T") == "uwagi":
            field[NameObject("/V")] = TextStringObject("a" * 5_000_000)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# name → (file name, content maker)
SHAPES: dict[str, tuple[str, Callable[[], str | bytes]]] = {
    "kontakty: 200 000 pozycji (załącznik 8, 802 KB)":
        ("kontakty.yaml", lambda: HEAD_8 + "kontakty:\n" + "- x\n" * 200_000),
    "YAML: długa lista sekcji":
        ("sekcje.yaml", lambda: _fill(HEAD_8 + "kontakty:\n",
                                      "- {{data: 2025-04-03, forma: pismo, cel: c{i}}}\n")),
    "YAML: długa lista w nieznanym polu":
        ("nieznane.yaml", lambda: _fill(EXAMPLE_8 + "x:\n", "- {i}\n")),
    "YAML: wiele kluczy":
        ("klucze.yaml", lambda: _fill(EXAMPLE_8, "k{i}: 1\n")),
    "YAML: wiele kluczy w jednej pozycji":
        ("klucze_poz.yaml", lambda: _fill(HEAD_8 + "kontakty:\n- data: 2025-04-03\n",
                                          "  k{i}: 1\n")),
    "YAML: głębokie zagnieżdżenie (flow)":
        ("gleboko.yaml", lambda: EXAMPLE_8 + "x: " + "[" * 400_000 + "]" * 400_000 + "\n"),
    "YAML: głębokie zagnieżdżenie (wcięcia)":
        ("wciecia.yaml", lambda: EXAMPLE_8 + "x:\n" + "".join(
            " " * d + "- \n" for d in range(0, 1400, 2))),
    "YAML: długi tekst w polu":
        ("tekst.yaml", lambda: HEAD_8 + "uwagi: " + "a" * (SIZE - 3000) + "\n"),
    "YAML: długi klucz":
        ("klucz.yaml", lambda: EXAMPLE_8 + "k" * (SIZE - 3000) + ": 1\n"),
    "YAML: 50 aliasów listy 9000 pozycji":
        ("aliasy.yaml", _yaml_aliases),
    "YAML: 60 pozycji po 900 nieznanych pól":
        ("pozycje.yaml", lambda: HEAD_8 + "kontakty:\n" + ("- " + "\n  ".join(
            f"k{i}: 1" for i in range(900)) + "\n") * 60),
    "YAML: 60 pozycji z błędami (limit problemów)":
        ("problemy.yaml", _yaml_problems),
    "YAML: liczba z milionem cyfr":
        ("liczba.yaml", lambda: EXAMPLE_8 + "x: " + "9" * (SIZE - 3000) + "\n"),
    "YAML: wiele dokumentów":
        ("dokumenty.yaml", lambda: _fill(EXAMPLE_8, "---\na: {i}\n")),
    "JSON: kontakty 330 000 pozycji":
        ("kontakty.json", lambda: json.dumps(_json_8(kontakty=[1] * 330_000))),
    "JSON: wiele kluczy":
        ("klucze.json", lambda: json.dumps(_json_8(**{f"k{i}": 1 for i in range(80_000)}))),
    "JSON: głębokie zagnieżdżenie":
        ("gleboko.json", _json_deep),
    "JSON: głębokie zagnieżdżenie poniżej limitu rekursji":
        ("gleboko900.json", lambda: json.dumps(_json_8())[:-1] + ', "x": ' + "[" * 900
         + "]" * 900 + "}"),
    "JSON: długi tekst":
        ("tekst.json", lambda: json.dumps(_json_8(uwagi="a" * (SIZE - 3000)))),
    "JSON: liczba z milionem cyfr":
        ("liczba.json", lambda: json.dumps(_json_8())[:-1] + ', "x": ' + "9" * (SIZE - 3000) + "}"),
    "PDF: 60 000 pól formularza":
        ("pola.pdf", _pdf_fields),
    "PDF: formularz z 5 MB w jednym polu":
        ("wartosc.pdf", _pdf_long_value),
}


def run_shape(name: str, root: Path, converter: Converter) -> tuple[float, float, int, int, str]:
    """(seconds from intake to explanation, CPU seconds, problems listed, explanation bytes,
    the first problem)."""
    filename, make = SHAPES[name]
    content = make()
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    settings = parse_config({}, root)
    settings.inbox.mkdir(parents=True, exist_ok=True)
    path = settings.inbox / filename
    path.write_bytes(data)
    start, cpu = time.perf_counter(), time.process_time()
    [outcome] = process_files([path], settings, converter, refresh=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = 0
    if outcome.rejected_to is not None:
        size = outcome.rejected_to.with_name(outcome.rejected_to.name + ".txt").stat().st_size
    first = str(outcome.problems[0]) if outcome.problems else outcome.status
    return seconds, cpu, len(outcome.problems), size, first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tylko", help="only shapes whose name contains this text")
    parser.add_argument("--limit-s", type=float, default=5.0)
    args = parser.parse_args()
    slow = 0
    with tempfile.TemporaryDirectory() as tmp, Converter(pool=False) as converter:
        for i, name in enumerate(SHAPES):
            if args.tylko and args.tylko.lower() not in name.lower():
                continue
            seconds, cpu, problems, size, first = run_shape(name, Path(tmp) / str(i), converter)
            flag = "" if seconds <= args.limit_s else "  ← ZA WOLNO"
            slow += bool(flag)
            print(f"{name:52s} {seconds:6.2f} s (CPU {cpu:5.2f} s)  problemy: {problems:2d}  "
                  f"opis: {size / 1024:4.1f} KB  {first[:70]}{flag}", flush=True)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
