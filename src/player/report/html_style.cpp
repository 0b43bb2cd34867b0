// The HTML report's style sheet: inline, no fonts or images to load.
#include "player/report/html_style.hpp"

namespace pingpong::player::html {

const std::string_view style_sheet = R"(
:root{--fg:#1c2331;--muted:#5a6577;--line:#dde2ea;--bg:#f5f6f8;--card:#fff;
--bad:#fde4e1;--badfg:#9b1c12;--ok:#e3f3e7;--okfg:#1b6632;--warn:#fff2d4;--warnfg:#7a4d00;--accent:#2f5fa7}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1360px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 2px;letter-spacing:-.01em}
h2{font-size:19px;margin:34px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:15px;margin:0 0 6px}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:12.5px}
.muted{color:var(--muted)}
.sub{color:var(--muted);font-size:12.5px;margin:6px 0 2px}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:14px 0 0;background:var(--card);
border:1px solid var(--line);border-radius:8px;padding:12px 16px}
.meta dt{color:var(--muted)}
.meta dd{margin:0;overflow-wrap:anywhere}
.tablewrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:13px}
th,td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{background:#eef1f5;font-weight:600;vertical-align:bottom}
th.l,td.l{text-align:left}
tr.load th{background:#e2e7ef;text-align:left;font-size:13.5px}
tr.load th .muted{font-weight:400}
tr.clean td{background:var(--ok)}
td.bad{background:var(--bad);color:var(--badfg);font-weight:600}
td.warn{background:var(--warn);color:var(--warnfg)}
td .spread{color:var(--muted);font-weight:400;font-size:11.5px;margin-left:4px}
td.bad .spread{color:var(--badfg)}
.notes{margin:8px 2px 0;font-size:12.5px;color:var(--muted)}
.notes li{margin:2px 0}
.verdicts{list-style:none;padding:0;margin:0}
.verdicts li{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:6px;
padding:8px 12px;margin:0 0 8px}
.verdicts .where{color:var(--muted);font-size:13px;margin-top:2px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px 10px}
.badge{display:inline-block;font-size:11.5px;font-weight:600;border-radius:10px;padding:1px 8px;margin-left:6px;vertical-align:1px}
.badge.ok{background:var(--ok);color:var(--okfg)}
.badge.bad{background:var(--bad);color:var(--badfg)}
svg{display:block;width:100%;max-width:640px;height:auto;margin:2px 0 4px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:12px;fill:#3b4456}
svg .axis-title{font-size:12.5px;fill:#5a6577}
svg .band-label{font-size:11px}
svg .empty{font-size:14px;fill:#8a93a3}
svg .muted{fill:#8a93a3}
svg .period-label{fill:#b3261e;font-weight:600;font-size:12.5px}
svg .grid{stroke:#e3e7ee;stroke-width:1}
svg .grid-light{stroke:#f0f2f6;stroke-width:1}
svg .tick,svg .axis{stroke:#7b8494;stroke-width:1}
svg .frame{fill:#fafbfc;stroke:#e3e7ee}
svg .band{fill:#f4f5f8}
svg .bar{fill:#4a7cc4}
svg .bar-late{fill:#d6453a}
svg .period{stroke:#b3261e;stroke-width:1.5;stroke-dasharray:5 3}
svg .fill-line{fill:none;stroke:#23866a;stroke-width:1.5;stroke-linejoin:round}
svg .t-underrun{stroke:#d6453a;stroke-width:2}
svg .t-underrun-faint{stroke:#d6453a;stroke-opacity:.25;stroke-width:1}
svg .t-miss{stroke:#e08a00;stroke-width:2}
svg .t-xrun{stroke:#7b4bb7;stroke-width:2}
.legend{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:var(--card);border:1px solid var(--line);
border-radius:8px;padding:12px 16px;margin:0}
.legend dt{font-weight:600}
.legend dd{margin:0}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;vertical-align:-1px;margin-right:5px}
footer{margin-top:28px;color:var(--muted);font-size:12px}
)";

}  // namespace pingpong::player::html
