/** The HTML report's only stylesheet, inlined (the CSP allows inline styles and nothing else). Internal. */
export const HTML_REPORT_CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--pass:#1a7f37;--fail:#cf222e;--error:#9a6700;--waived:#8250df;--unverified:#bc4c00;--na:#6e7781}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
a{color:#0550ae}
a:focus-visible{outline:3px solid #0969da;outline-offset:2px}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:.88em}
header.top{padding:20px 32px;border-bottom:1px solid var(--line);background:var(--soft)}
header.top h1{margin:0 0 6px;font-size:1.5rem}
.verdict{display:inline-block;padding:4px 12px;border-radius:6px;font-weight:700;border:2px solid currentColor;margin-right:12px}
.verdict.pass{color:var(--pass)}.verdict.fail{color:var(--fail)}.verdict.error{color:var(--error)}
nav{padding:8px 32px;border-bottom:1px solid var(--line)}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 18px}
main{padding:8px 32px 32px;max-width:1400px}
section.bundle{margin-top:20px}
section.target{margin:22px 0;padding:16px 20px;border:1px solid var(--line);border-radius:8px}
h2{font-size:1.3rem;margin:18px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:1.15rem;margin:0 0 10px}
h4{font-size:1rem;margin:18px 0 6px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
caption{text-align:left;font-weight:600;padding:4px 0;color:var(--muted)}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
.nw{white-space:nowrap}
td,tbody th{overflow-wrap:anywhere}
td.pc{overflow-wrap:normal}
table.tl,table.ct{table-layout:fixed}
.tl thead th:nth-child(1){width:17%}.tl thead th:nth-child(2){width:11%}.tl thead th:nth-child(3){width:10%}.tl thead th:nth-child(4){width:9.5%}.tl thead th:nth-child(6){width:10%}.tl thead th:nth-child(7){width:17%}
.ct thead th:nth-child(1){width:8.5%}.ct thead th:nth-child(2){width:27%}.ct thead th:nth-child(3){width:8%}.ct thead th:nth-child(5){width:15%}.ct thead th:nth-child(6){width:10%}
code.ptr{font-size:.8em}
thead th{background:var(--soft);font-weight:600}
tbody th{font-weight:600}
tr.row-fail td,tr.row-fail th{background:#ffebe9}
tr.row-error td,tr.row-error th{background:#fff8c5}
tr.row-unverified td,tr.row-unverified th{background:#fff1e5}
tr.conflict td,tr.conflict th,tr.rollback td,tr.rollback th{background:#fbefff}
.status{white-space:nowrap;font-weight:700}
.status.pass{color:var(--pass)}.status.fail{color:var(--fail)}.status.error{color:var(--error)}.status.waived{color:var(--waived)}.status.unverified{color:var(--unverified)}.status.not_applicable{color:var(--na);font-weight:400}
.muted{color:var(--muted)}
.tag{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 7px;font-size:.8em;background:var(--soft)}
.cp{font-family:ui-monospace,monospace;font-size:.8em;color:var(--fail);border:1px dashed var(--fail);border-radius:3px;padding:0 2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.banner{border:2px solid var(--fail);background:#ffebe9;padding:8px 12px;border-radius:6px;margin:8px 0}
.flow-wrap{overflow-x:auto;margin:4px 0 10px}
svg.flow{display:block;max-width:100%;height:auto;font:600 12px system-ui,sans-serif}
svg.flow rect{fill:#fff;stroke:var(--na);stroke-width:1.5}
svg.flow .mark{font-size:15px}
svg.flow .pass rect{fill:#dafbe1;stroke:var(--pass)}svg.flow .pass text{fill:#116329}
svg.flow .fail rect{fill:#ffebe9;stroke:var(--fail);stroke-width:4}svg.flow .fail text{fill:#a40e26}
svg.flow .error rect{fill:#fff8c5;stroke:var(--error);stroke-width:4;stroke-dasharray:6 3}svg.flow .error text{fill:#7d4e00}
svg.flow .unverified rect{fill:#fff1e5;stroke:var(--unverified);stroke-width:3;stroke-dasharray:2 2}svg.flow .unverified text{fill:#953800}
svg.flow .waived rect{fill:#fbefff;stroke:var(--waived)}svg.flow .waived text{fill:#6639ba}
svg.flow .absent rect{stroke-dasharray:4 3}svg.flow .absent text,svg.flow .not_applicable text{fill:var(--na)}
svg.flow .arrow{fill:none;stroke:var(--na);stroke-width:1.5}
footer{padding:12px 32px;border-top:1px solid var(--line);color:var(--muted);font-size:.9em}
@media print{
  body{font-size:10.5pt}
  nav{display:none}
  header.top,main,footer{padding-left:0;padding-right:0}
  section.target{break-inside:auto;border:none;padding:0}
  tr,svg.flow{break-inside:avoid}
  h2,h3,h4{break-after:avoid}
  a{color:inherit;text-decoration:underline}
  a[href]::after{content:" <" attr(href) ">";font-size:.8em;color:var(--muted);overflow-wrap:anywhere}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;
