"""What the revisions between the archived PDF and its first signature changed.

pyHanko's difference analysis judges what comes after a signature; the revision that
carries the first signature (and any its software wrote before it) is judged here, object
by object: it may add objects, and redefine only the catalog (an /AcroForm, the /DSS, the
XMP metadata), page dictionaries (their /Annots), an /Annots array (its old items kept),
the document information and the XMP stream. A new annotation must be the widget of
a signature field. Anything else — a page's content, its resources, a font, an image —
is a change of the document and refuses it."""

from __future__ import annotations

from typing import Any

CATALOG_FREE = {"/AcroForm", "/DSS", "/Metadata", "/Perms", "/Extensions", "/Version"}
PAGE_FREE = {"/Annots"}
ACROFORM_FREE = {"/Fields", "/SigFlags", "/DR", "/DA"}
INFO_KEYS = {"/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer",
             "/CreationDate", "/ModDate", "/Trapped"}


def _same_except(old: Any, new: Any, free: set[str]) -> bool:
    keys = (set(old.keys()) | set(new.keys())) - free
    return all(old.raw_get(k) == new.raw_get(k) if k in old and k in new else False
               for k in keys)


def _is_sig_widget(annot: Any) -> bool:
    obj = annot.get_object()
    if obj.get("/Subtype") != "/Widget":
        return False
    field = obj
    for _ in range(8):  # a widget's field type may sit on a parent
        if field.get("/FT") == "/Sig":
            return True
        if "/Parent" not in field:
            return False
        field = field["/Parent"]
    return False


def _redefinition_ok(old: Any, new: Any, root_id: int, info_id: int | None, idnum: int) -> bool:
    from pyhanko.pdf_utils import generic

    if idnum == info_id or (isinstance(old, generic.DictionaryObject)
                            and set(old.keys()) <= INFO_KEYS and set(new.keys()) <= INFO_KEYS):
        return True  # the document information (the producer, the modification date)
    if isinstance(old, generic.StreamObject):
        return old.get("/Type") == "/Metadata" and isinstance(new, generic.StreamObject)
    if isinstance(old, generic.ArrayObject) and isinstance(new, generic.ArrayObject):
        return all(item in list(new) for item in old)  # an /Annots array may only grow
    if not (isinstance(old, generic.DictionaryObject) and isinstance(new, generic.DictionaryObject)):
        return False
    if idnum == root_id:
        return _same_except(old, new, CATALOG_FREE)
    if old.get("/Type") == "/Page":
        return _same_except(old, new, PAGE_FREE)
    if "/Fields" in old:
        return _same_except(old, new, ACROFORM_FREE)
    return False


def _annotations(resolver: Any) -> list[tuple[int, Any]]:
    out = []
    pages = resolver.root["/Pages"]
    stack = [pages]
    while stack:  # the page tree, without pyHanko's page cache (one revision at a time)
        node = stack.pop()
        if node.get("/Type") == "/Pages":
            stack.extend(kid.get_object() for kid in reversed(list(node["/Kids"])))
            continue
        annots = node.get("/Annots")
        for annot in (annots.get_object() if annots is not None else []):
            out.append((annot.idnum if hasattr(annot, "idnum") else id(annot), annot))
    return out


def signing_changes(reader: Any, base: int, signed: int) -> list[str]:
    """Polish reasons why revisions base+1…signed are more than adding signatures."""
    old = reader.get_historical_resolver(base)
    new = reader.get_historical_resolver(signed)
    size = int(old.trailer_view["/Size"])
    root_id = old.root_ref.idnum
    info = old.trailer_view.raw_get("/Info") if "/Info" in old.trailer_view else None
    info_id = getattr(info, "idnum", None)
    for revision in range(base + 1, signed + 1):
        for ref in reader.xrefs.explicit_refs_in_revision(revision):
            if ref.idnum >= size:
                continue
            if not _redefinition_ok(old.get_object(ref), new.get_object(ref), root_id, info_id,
                                    ref.idnum):
                return ["przy podpisywaniu zmieniono treść dokumentu (strony, czcionki lub "
                        "obrazy), a nie tylko dodano podpis"]
    if len(list(_annotations(new))) and any(
            not _is_sig_widget(a) for key, a in _annotations(new)
            if key not in {k for k, _ in _annotations(old)}):
        return ["przy podpisywaniu dodano do dokumentu adnotacje inne niż pole podpisu"]
    return []
