"""The case and its rules: the family register, the schemas and kinds, the case model (its
cycles and endings, members, assistant and contacts: case.py, family.py) that every
document asks, and the checklist of a case (checklist.py, its clocks in clocks.py)."""
