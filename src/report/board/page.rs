//! The HTML page: one self-contained file (styles inline, charts as inline
//! SVG, no scripts, no fonts or anything else fetched) that opens offline
//! in any browser and prints to A4 with each section on its own pages.
//! Every piece of text passed here as `text` is escaped; only markup built
//! by this module and the SVG drawn by plotters (which escapes its text)
//! goes in unescaped.

use super::words::escape;

const STYLE: &str = r#"
:root { --ink: #222; --muted: #5a5a5a; --rule: #d9d9d9; --base: #0072B2; --alt: #D55E00; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       max-width: 62rem; margin: 2rem auto; padding: 0 1.2rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid var(--rule); padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.08rem; margin: 1.4rem 0 .4rem; }
.lede { color: var(--muted); margin-top: 0; }
.question { border-left: 4px solid var(--base); padding: .3rem .8rem; background: #f4f8fb; }
ul.findings li { margin: .25rem 0; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .92rem; }
th, td { border-bottom: 1px solid var(--rule); padding: .35rem .5rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; min-width: 9rem; }
thead th { border-bottom: 2px solid #999; background: #fafafa; }
tr.group th { text-align: left; padding-top: .7rem; font-weight: 600; border-bottom: 1px solid #999; }
td.text, th.text { text-align: left; }
figure { margin: 1rem 0 1.6rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; max-width: 100%; display: block; }
figcaption { color: var(--muted); font-size: .86rem; margin-top: .3rem; }
figcaption a { color: var(--muted); }
.note { color: var(--muted); font-size: .9rem; }
p.summary { font-size: 1.02rem; border-left: 4px solid var(--alt); padding: .3rem .8rem; background: #fdf6f1; }
dl.tags dt { font-weight: 600; float: left; clear: left; width: 7rem; }
dl.tags dd { margin: 0 0 .3rem 7.5rem; }
code { font-size: .88em; background: #f3f3f3; padding: 0 .2em; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  /* No forced page breaks: a break before each section left the pages
     before it half empty. Headings stay with what follows; long tables
     may break between rows (their header repeats). */
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  /* Intervals do not break inside, so the tables print smaller to fit A4. */
  table { font-size: 8pt; }
  th:first-child, td:first-child { min-width: 6.5rem; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  .files { display: none; }
  figure svg { max-height: 120mm; }
}
"#;

/// The page: title and sections (already built markup).
pub fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"iccsim {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(title)
    )
}

/// A table cell: text (escaped) and whether it is words (left-aligned).
pub struct Cell {
    pub text: String,
    pub words: bool,
}

pub fn number(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        words: false,
    }
}

pub fn words(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        words: true,
    }
}

/// A table; `id` names it for readers and tests, each row may carry a
/// `data-metric` key.
pub fn table(id: &str, header: &[Cell], rows: &[(Option<String>, Vec<Cell>)]) -> String {
    let cell = |tag: &str, c: &Cell| {
        let class = if c.words { " class=\"text\"" } else { "" };
        format!("<{tag}{class}>{}</{tag}>", escape(&c.text))
    };
    let mut out = format!("<table id=\"{}\">\n<thead><tr>", escape(id));
    for c in header {
        out.push_str(&cell("th", c));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (key, cells) in rows {
        // A row of one cell of words heads a group of rows, across the table.
        if let (None, [only]) = (key, cells.as_slice())
            && only.words
            && header.len() > 1
        {
            out.push_str(&format!(
                "<tr class=\"group\"><th colspan=\"{}\" scope=\"colgroup\">{}</th></tr>\n",
                header.len(),
                escape(&only.text)
            ));
            continue;
        }
        match key {
            Some(key) => out.push_str(&format!("<tr data-metric=\"{}\">", escape(key))),
            None => out.push_str("<tr>"),
        }
        for c in cells {
            out.push_str(&cell("td", c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// A chart: its SVG inline, a caption, and links to its files.
pub fn figure(name: &str, svg: &str, caption: &str, files_folder: &str) -> String {
    // plotters writes an XML declaration-free <svg> element; keep only it.
    let svg = svg.find("<svg").map_or(svg, |i| &svg[i..]);
    format!(
        "<figure class=\"chart\" data-chart=\"{}\">\n{svg}\n<figcaption>{} <span class=\"files\"><a href=\"{folder}/{file}.svg\">SVG</a> · <a href=\"{folder}/{file}.png\">PNG</a></span></figcaption>\n</figure>\n",
        escape(name),
        escape(caption),
        folder = relative_url(files_folder),
        file = relative_url(name),
    )
}

/// A relative link to a file: every byte but letters, digits, `-`, `_`,
/// `.`, `~` and `/` percent-encoded. HTML escaping is not enough in an
/// `href`: a folder named after the page (`--out "javascript:alert(1).html"`)
/// would make a script link; encoded, its `:` cannot start a scheme.
fn relative_url(path: &str) -> String {
    let mut url = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                url.push(char::from(byte))
            }
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url
}

/// A paragraph of text.
pub fn paragraph(class: &str, text: &str) -> String {
    if class.is_empty() {
        format!("<p>{}</p>\n", escape(text))
    } else {
        format!("<p class=\"{class}\">{}</p>\n", escape(text))
    }
}

/// A bulleted list.
pub fn list(class: &str, items: &[String]) -> String {
    let mut out = format!("<ul class=\"{class}\">\n");
    for item in items {
        out.push_str(&format!("<li>{}</li>\n", escape(item)));
    }
    out.push_str("</ul>\n");
    out
}

pub fn heading(level: u8, text: &str) -> String {
    format!("<h{level}>{}</h{level}>\n", escape(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_escapes_its_text_and_links_only_to_files() {
        let html = figure(
            "a\"b",
            "<?xml version=\"1.0\"?><svg></svg>",
            "<b>caption</b>",
            "javascript:alert(1)-charts",
        );
        assert!(html.contains("data-chart=\"a&quot;b\""), "{html}");
        assert!(html.contains("&lt;b&gt;caption&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<?xml"), "{html}");
        // A folder name cannot make a script link: its `:` is encoded.
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains("href=\"javascript%3Aalert%281%29-charts/a%22b.svg\""),
            "{html}"
        );
        let plain = figure("x-flows", "<svg></svg>", "", "report-charts");
        assert!(
            plain.contains("href=\"report-charts/x-flows.png\""),
            "{plain}"
        );
    }
}
