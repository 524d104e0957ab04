"""PDF machinery: PDF/A metadata, overlays, fonts, the page code."""
