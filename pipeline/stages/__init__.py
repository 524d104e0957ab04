"""The pipeline's stages, one module each: intake, parse, validate (its Polish reasons in
reasons), render (the template's tags checked in tags, placed in tag_places), convert
(LibreOffice), file (archive), hold (template errors)."""
