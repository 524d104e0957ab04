"""The pipeline's stages, one module each: intake, parse, validate, render,
convert (LibreOffice), file (archive), hold (template errors)."""
