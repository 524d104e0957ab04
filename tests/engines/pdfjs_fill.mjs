// Fills PDF forms the way Firefox's PDF viewer does: pdf.js's annotationStorage, then
// saveDocument(). Used by tests/test_form_engines.py.
//
//   node pdfjs_fill.mjs jobs.json
//
// jobs.json: [{"input": "...pdf", "output": "...pdf", "values": {"field name": "text"}}, ...]
// A checkbox takes "tak" (ticked) or "Off"; a drop-down list takes one of its options.
// Prints a JSON report: for each job, the field names on every page, the names it filled and
// the names it was given but did not find.
import fs from "node:fs";
import * as pdfjs from "pdfjs-dist/legacy/build/pdf.mjs";

async function fillOne({ input, output, values }) {
  const data = new Uint8Array(fs.readFileSync(input));
  const doc = await pdfjs.getDocument({ data, verbosity: 0 }).promise;
  const pages = [];
  const filled = [];
  for (let number = 1; number <= doc.numPages; number++) {
    const page = await doc.getPage(number);
    const widgets = (await page.getAnnotations()).filter(a => a.annotationType === 20);
    pages.push(widgets.map(w => w.fieldName));
    for (const widget of widgets) {
      if (!Object.hasOwn(values, widget.fieldName)) {
        continue;
      }
      const value = values[widget.fieldName];
      if (widget.checkBox) {
        doc.annotationStorage.setValue(widget.id, { value: value !== "Off" && value !== "" });
      } else {
        doc.annotationStorage.setValue(widget.id, { value: String(value) });
      }
      filled.push(widget.fieldName);
    }
  }
  const saved = await doc.saveDocument();
  fs.writeFileSync(output, saved);
  await doc.destroy();
  const found = new Set(pages.flat());
  return { input, output, pages, filled, missing: Object.keys(values).filter(k => !found.has(k)) };
}

const jobs = JSON.parse(fs.readFileSync(process.argv[2], "utf-8"));
const report = [];
for (const job of jobs) {
  report.push(await fillOne(job));
}
process.stdout.write(JSON.stringify(report));
