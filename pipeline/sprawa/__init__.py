"""The case and its rules: the family register, the schemas and kinds, the checklist of a case."""
