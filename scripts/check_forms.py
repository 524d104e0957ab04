import sys, yaml
from pathlib import Path
from pipeline.parse import parse
from pipeline.validate import validate
from pipeline.models import IncomingFile
from pipeline.errors import FormError
for f in sys.argv[1:]:
    p=Path(f); inc=IncomingFile(p,p.read_bytes(),"x")
    try:
        fd=validate(parse(inc), inc); print(f, "OK", fd.zalacznik, fd.rodzina, fd.data)
    except FormError as e:
        print(f, "REJ"); [print("  ",x) for x in e.problems]
