"""asysta: the document pipeline of family assistance (asystent rodziny) in a Polish OPS."""

__version__ = "0.1.0"
