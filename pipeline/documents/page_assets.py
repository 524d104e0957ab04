"""The style sheet and the small filtering script of `outbox/index.html` (dashboard.py).

The page works from a shared folder (`file://`): nothing is fetched, all of it is inline."""

CSS = """
:root { --jest:#d9ead3; --po_terminie:#fce5cd; --brak:#f4cccc; --oczekuje:#eeeeee;
        --niepodpisany:#fff2cc; --line:#c9c9c9; --muted:#5a5a5a; --link:#1a4d8f; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; margin: 0 auto;
       padding: 1.2rem 1.5rem 2rem; max-width: 1500px; color: #222; font-size: 14px;
       line-height: 1.4; overflow-wrap: break-word; }
h1 { font-size: 1.35rem; margin: 0 0 .15rem; }
h2 { font-size: 1.12rem; margin: 1.6rem 0 .5rem; border-bottom: 2px solid #333;
     padding-bottom: .15rem; }
h3 { font-size: 1rem; margin: .9rem 0 .3rem; }
p.meta { color: var(--muted); margin: 0 0 .8rem; }
a { color: var(--link); }
code { font-size: .92em; }
.s-jest { background: var(--jest); } .s-po_terminie { background: var(--po_terminie); }
.s-brak { background: var(--brak); } .s-oczekuje { background: var(--oczekuje); }
.s-niepodpisany { background: var(--niepodpisany); } .s-inny { background: #e8e8e8; }
.s-podpisany_elektronicznie { background: #cfe2f3; }
.s-decyzja { background: #ddebf7; }
.badge { display: inline-block; min-width: 6.2em; padding: .05rem .4rem; border-radius: 3px;
         font-size: .8rem; font-weight: bold; text-align: center; white-space: nowrap; }
.badge.soon { background: #e3ecf7; font-weight: normal; }
.totals { display: flex; flex-wrap: wrap; gap: .5rem; margin: .4rem 0 0; padding: 0;
          list-style: none; }
.totals li { border: 1px solid var(--line); border-radius: 6px; padding: .35rem .7rem;
             min-width: 7.5rem; }
.totals b { display: block; font-size: 1.3rem; font-variant-numeric: tabular-nums; }
.totals span { color: var(--muted); font-size: .85rem; }
#filtry { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end;
          margin: 1rem 0 .2rem; padding: .6rem .8rem; background: #f4f4f4; border-radius: 6px; }
#filtry label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted);
                gap: .15rem; max-width: 100%; }
#filtry select, #filtry input { font: inherit; padding: .25rem .35rem; max-width: 100%;
                                 min-width: 12rem; }
#filtry button { font: inherit; padding: .3rem .8rem; }
#wynik { color: var(--muted); font-size: .85rem; margin: 0; }
.grupa { margin-bottom: .8rem; }
.grupa h3 .ile { color: var(--muted); font-weight: normal; }
ul.todo { list-style: none; margin: 0; padding: 0; border-top: 1px solid var(--line); }
ul.todo li { display: grid; grid-template-columns: 7rem 7.5rem minmax(0, 1fr) 16.5rem;
             gap: .2rem .7rem; align-items: baseline; padding: .3rem .2rem;
             border-bottom: 1px solid var(--line); break-inside: avoid; }
ul.todo .kiedy { font-variant-numeric: tabular-nums; }
ul.todo .zal { color: var(--muted); white-space: nowrap; }
ul.todo .plik { display: block; font-size: .8rem; color: var(--muted); overflow-wrap: anywhere; }
p.pusto { color: var(--muted); font-style: italic; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: left;
         vertical-align: top; }
th { background: #e7e6e6; font-size: .9rem; }
td.n { text-align: center; font-variant-numeric: tabular-nums; width: 5.2rem; }
td.n.s-brak, td.n.s-po_terminie, td.n.s-niepodpisany { font-weight: bold; }
td.rodzina { white-space: nowrap; font-weight: bold; }
td.dokumenty { width: 17rem; }
td.etap { width: 11rem; }
td.asystent { white-space: nowrap; }
tr:target td { outline: 2px solid var(--link); outline-offset: -2px; }
tr { break-inside: avoid; }
details summary { cursor: pointer; color: var(--link); }
ul.docs { margin: .3rem 0 0; padding-left: 1rem; font-size: .8rem; overflow-wrap: anywhere; }
.poprzedni { color: var(--muted); font-size: .85rem; }
.pasek { display: inline-block; vertical-align: middle; width: 9rem; max-width: 40%;
         height: .7rem; background: #eee; border: 1px solid var(--line); margin-right: .5rem; }
.pasek i { display: block; height: 100%; background: #8fb3d9; }
.pelny .pasek i { background: #e0a84f; } .ponad .pasek i { background: #c0392b; }
.ponad .stan { font-weight: bold; color: #a01f12; }
@media screen and (max-width: 760px) {
  body { padding: .8rem .7rem 1.5rem; font-size: 15px; }
  h1 { font-size: 1.15rem; }
  ul.todo li { grid-template-columns: auto minmax(0, 1fr); }
  .totals li { flex: 1 1 28%; min-width: 0; padding: .3rem .5rem; }
  .totals b { font-size: 1.15rem; }
  td.asystent { white-space: normal; }
  ul.todo .opis, ul.todo .kiedy { grid-column: 1 / -1; }
  #filtry label, #filtry select, #filtry input { width: 100%; min-width: 0; }
  table.karty, table.karty tbody, table.karty tr, table.karty td { display: block; width: auto; }
  table.karty thead { display: none; }
  table.karty tr { border: 1px solid var(--line); border-radius: 6px; margin-bottom: .6rem;
                   padding: .35rem .6rem; }
  table.karty td { border: none; padding: .12rem 0; }
  table.karty td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
  table.karty td.n { display: inline-block; width: auto; margin-right: .1rem;
                     padding: 0 .3rem; border-radius: 3px; }
  table.karty td.rodzina { font-size: 1.05rem; }
  .pasek { width: 6rem; }
}
@media print {
  @page { size: A4 landscape; margin: 10mm 12mm; }
  body { padding: 0; max-width: none; font-size: 9.5pt; }
  #filtry, #wynik, .totals, details, .tylko-ekran { display: none !important; }
  h2 { margin-top: .8rem; break-after: avoid; }
  h3 { break-after: avoid; }
  a { color: #000; text-decoration: none; }
  ul.todo li { grid-template-columns: 6.5rem 6.5rem minmax(0, 1fr) 16rem; padding: .15rem .1rem; }
  .s-jest, .s-po_terminie, .s-brak, .s-oczekuje, .s-niepodpisany, .badge, .pasek i {
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

SCRIPT = """
(function () {
  var form = document.getElementById('filtry');
  if (!form) return;
  var who = form.elements.asystent, stage = form.elements.etap, search = form.elements.szukaj;
  var rows = document.querySelectorAll('#rodziny tbody tr[data-rodzina]');
  var lines = document.querySelectorAll('#do-zrobienia li[data-rodzina]');
  var groups = document.querySelectorAll('#do-zrobienia .grupa');
  var none = document.getElementById('nic-do-zrobienia');
  var result = document.getElementById('wynik');
  function fits(el) {
    var q = search.value.trim().toLowerCase();
    return (!who.value || el.getAttribute('data-asystent') === who.value) &&
           (!stage.value || el.getAttribute('data-etap') === stage.value) &&
           (!q || el.getAttribute('data-rodzina').toLowerCase().indexOf(q) >= 0);
  }
  function apply() {
    var shown = 0, todo = 0, i;
    for (i = 0; i < rows.length; i++) { rows[i].hidden = !fits(rows[i]); if (!rows[i].hidden) shown++; }
    for (i = 0; i < lines.length; i++) { lines[i].hidden = !fits(lines[i]); if (!lines[i].hidden) todo++; }
    for (i = 0; i < groups.length; i++) {
      groups[i].hidden = !groups[i].querySelector('li[data-rodzina]:not([hidden])');
    }
    if (none) none.hidden = todo > 0 || lines.length === 0;
    result.textContent = 'Pokazano rodzin: ' + shown + ' z ' + rows.length +
                         '; pozycji do zrobienia: ' + todo + ' z ' + lines.length + '.';
  }
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('reset', function () { setTimeout(apply, 0); });
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  window.addEventListener('hashchange', function () {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.hidden) { form.reset(); apply(); target.scrollIntoView(); }
  });
  apply();
})();
"""
