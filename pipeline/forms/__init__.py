"""Fillable PDF forms: drawn from the schemas, and read back when filled.

Office staff fill forms in a PDF reader or a browser, not YAML. `build_form` turns an
attachment's schema into an AcroForm; a hidden field records the attachment, the schema
version and a fingerprint of the schema's structure, so a filled form is checked against
the schema it was made from. `read_form` turns a filled form back into the same plain
mapping a YAML form gives; validation then runs unchanged.

The package follows the form's seams:

- `spec`: the marker, the field names, what a schema rule asks of a field;
- `pdfobj`: a minimal deterministic PDF writer;
- `embed`: the embedded fonts (Polish letters in the fields: Windows-1250, /DR name for PDFium);
- `columns`, `layout`: the A4 pages, their text and where every field goes;
- `fields`: widgets and their appearance streams (no NeedAppearances);
- `build`: all of it as one PDF; `prefill`: values a family's folder already knows;
- `reading`: a filled form back to a mapping, with pypdf.

The font files are `pipeline.pdf.fonts`, shared with the case binder.
"""

from __future__ import annotations

from pipeline.pdf.fonts import font_paths

from .build import build_form
from .embed import FIELD_FONT, codepage
from .prefill import PREFILL_KEYS, known_values, prefill, write_forms
from .reading import BROKEN, ENCRYPTED, MAX_FIELDS, NOT_A_FORM, NOT_PDF, read_form
from .spec import MARKER_FIELD, fingerprint, form_filename, marker

__all__ = [
    "BROKEN", "ENCRYPTED", "FIELD_FONT", "MARKER_FIELD", "MAX_FIELDS", "NOT_A_FORM", "NOT_PDF",
    "PREFILL_KEYS", "build_form", "codepage", "fingerprint", "font_paths", "form_filename",
    "known_values", "marker", "prefill", "read_form", "write_forms",
]
