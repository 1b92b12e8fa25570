/// The status page's stylesheet, inlined: system fonts, tabular figures, a light theme that
/// stays legible on a wall screen.
enum StatusPageStyle {
    static let css = """
        :root{--bg:#f3f4f6;--card:#fff;--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--ok:#16a34a;--warn:#d97706;\
        --bad:#dc2626;--accent:#2563eb}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",\
        "DejaVu Sans",sans-serif;font-variant-numeric:tabular-nums}
        header{display:flex;align-items:center;gap:16px;padding:14px 28px;background:#111827;color:#f9fafb}
        .brand{font-weight:700;font-size:18px;letter-spacing:.02em}.logo{color:#60a5fa}
        .where{color:#d1d5db}.where b{color:#fff;font-weight:600}.asof{margin-left:auto;color:#9ca3af;font-size:13px}
        .pill{padding:3px 12px;border-radius:999px;font-weight:600;font-size:13px}
        .pill.ok{background:#dcfce7;color:#166534}.pill.bad{background:#fee2e2;color:#991b1b}
        ul.reasons{margin:0;padding:10px 28px 10px 46px;background:#fef2f2;color:#991b1b;border-bottom:1px solid #fecaca}
        main{padding:20px 28px;max-width:1400px;margin:0 auto}
        .tiles{display:grid;grid-template-columns:repeat(5,1fr);gap:14px;margin-bottom:14px}
        .tile{background:var(--card);border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.06);\
        border-top:3px solid var(--accent)}
        .tile.warn{border-top-color:var(--warn)}
        .tile .label,.figures .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
        .tile .value{font-size:28px;font-weight:650;margin:2px 0}.tile small{font-size:13px;color:var(--muted);font-weight:400}
        .tile .note{color:var(--muted);font-size:12px}
        .grid{display:grid;grid-template-columns:1fr 1fr;gap:14px;margin-bottom:14px}
        .card{background:var(--card);border-radius:10px;padding:16px 18px;box-shadow:0 1px 2px rgba(0,0,0,.06);margin-bottom:14px}
        .grid .card{margin-bottom:0}
        h2{font-size:15px;margin:0 0 10px}h2 small{color:var(--muted);font-weight:400;font-size:12px;margin-left:6px}
        table{width:100%;border-collapse:collapse}th{text-align:left;color:var(--muted);font-weight:500;font-size:12px;\
        border-bottom:1px solid var(--line);padding:6px 8px}
        td{padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:middle}tr:last-child td{border-bottom:0}
        .num{text-align:right}.nowrap,th{white-space:nowrap}td.warn{color:var(--warn);font-weight:600}.muted{color:var(--muted);font-size:12px}
        .barcell{width:180px}svg.bar{display:block}svg .track{fill:#f3f4f6}
        svg.chart{display:block}svg .grid{stroke:var(--line);stroke-dasharray:3 3}svg .note{fill:var(--muted);font-size:13px}
        .axis{display:flex;justify-content:space-between;color:var(--muted);font-size:11px;margin:2px 0}
        .figures{display:flex;gap:22px;margin-bottom:8px}.figures b{font-size:17px}
        code{background:#f3f4f6;padding:1px 5px;border-radius:4px;font-size:12px}
        .hint,.legend,.empty{color:var(--muted);font-size:12px;margin:8px 0 0}
        .legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:-1px}
        .chip{padding:2px 9px;border-radius:999px;font-size:12px;font-weight:600}
        .chip.ok{background:#dcfce7;color:#166534}.chip.wait{background:#fef3c7;color:#92400e}
        .tag{display:inline-block;background:#fef3c7;color:#92400e;border-radius:4px;padding:0 6px;margin:1px 2px;font-size:12px}
        .problem{background:#fef2f2;color:#991b1b;border-radius:6px;padding:6px 10px;font-size:13px}
        ul.health{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:8px 26px}
        .dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:7px}
        .dot.ok{background:var(--ok)}.dot.bad{background:var(--bad)}.dot.warn{background:var(--warn)}
        footer{color:var(--muted);font-size:12px;text-align:center;padding:6px 0 20px}footer a{color:var(--accent)}
        @media (max-width:1000px){.tiles{grid-template-columns:repeat(2,1fr)}.grid{grid-template-columns:1fr}}
        """
}
