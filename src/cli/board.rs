//! `iccsim report` (and `--report` on `batch` and `compare`): draws the
//! board report of a results folder and writes it — the charts first, in a
//! folder of the page's own (`<page>-charts/`), then the page that links to
//! them, each file atomically — and, with `--pdf`, prints the page with
//! headless Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::args::{ReportArgs, ReportOptions};
use super::{EXIT_OUTPUT, EXIT_SCENARIO, EXIT_USAGE, Failure};
use iccsim::report::board;
use iccsim::report::{WriteError, write_atomically, write_file_set};

/// The page's default name in the results folder.
pub(super) const REPORT_FILE: &str = "report.html";

/// Longest a browser may take to print a page.
const PRINT_TIMEOUT: Duration = Duration::from_secs(120);

pub(super) fn report(args: ReportArgs) -> Result<(), Failure> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.results.join(REPORT_FILE));
    write_report(
        &args.results,
        &out,
        args.tornado.as_deref(),
        &args.drawing,
        false,
    )
}

/// The folder of a page's charts: `report.html` has `report-charts/`.
fn charts_folder_name(page: &Path) -> String {
    let stem = page
        .file_stem()
        .map_or("report".into(), |s| s.to_string_lossy().to_string());
    format!("{stem}-charts")
}

/// Removes the default report of a results folder whose results were just
/// replaced: a page (and its PDF and charts) drawn from other numbers.
pub(super) fn remove_report(results: &Path) -> Result<(), WriteError> {
    let page = results.join(REPORT_FILE);
    let charts = results.join(charts_folder_name(&page));
    let fail = |path: &Path, source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    for file in [page.clone(), page.with_extension("pdf")] {
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(fail(&file, e)),
            _ => {}
        }
    }
    if let Ok(entries) = std::fs::read_dir(&charts) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "svg" || e == "png") {
                std::fs::remove_file(&path).map_err(|e| fail(&path, e))?;
            }
        }
        // Kept if someone put other files there.
        let _ = std::fs::remove_dir(&charts);
    }
    Ok(())
}

/// The report of results just written (`--report` on `batch` and
/// `compare`): `report.html` in their folder.
pub(super) fn write_default_report(
    results: &Path,
    options: &ReportOptions,
    quiet: bool,
) -> Result<(), Failure> {
    write_report(results, &results.join(REPORT_FILE), None, options, quiet)
}

/// Draws the report of `results` into `out` (and its charts beside it).
pub(super) fn write_report(
    results: &Path,
    out: &Path,
    tornado: Option<&Path>,
    options: &ReportOptions,
    quiet: bool,
) -> Result<(), Failure> {
    let is_html = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if !is_html {
        return Err(Failure {
            code: EXIT_USAGE,
            message: format!(
                "--out {}: the page is HTML; give a name ending .html (e.g. {})",
                out.display(),
                out.with_extension("html").display()
            ),
        });
    }
    let charts_name = charts_folder_name(out);
    // Unreadable or foreign results are bad input, like a bad scenario.
    let report = board::build(results, tornado, &charts_name).map_err(|message| Failure {
        code: EXIT_SCENARIO,
        message: format!("cannot draw the report: {message}"),
    })?;
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let charts = folder.join(&charts_name);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for chart in &report.charts {
        files.push((
            format!("{}.svg", chart.name),
            chart.svg.clone().into_bytes(),
        ));
        files.push((format!("{}.png", chart.name), chart.png.clone()));
    }
    // The folder is the page's own: charts of an earlier drawing that this
    // one has not are removed with it.
    let earlier: Vec<String> = std::fs::read_dir(&charts)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.ends_with(".svg") || n.ends_with(".png"))
                .collect()
        })
        .unwrap_or_default();
    let named: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let previous: Vec<&str> = earlier.iter().map(String::as_str).collect();
    write_file_set(&charts, &named, &previous)?;
    write_atomically(out, report.html.as_bytes())?;
    if !quiet {
        say!(
            "Wrote the report to {} ({} charts, also as SVG and PNG in {}/)",
            out.display(),
            report.charts.len(),
            charts.display()
        );
    }
    if options.pdf {
        let pdf = out.with_extension("pdf");
        print_pdf(out, &pdf)?;
        if !quiet {
            say!("Printed it to {}", pdf.display());
        }
    }
    Ok(())
}

/// The Chromium to print with: $ICCSIM_CHROMIUM, or the first of the usual
/// names on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ICCSIM_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        ["chromium", "chromium-browser", "google-chrome", "chrome"]
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// A file URL for an absolute path, with every byte outside the unreserved
/// set and `/` percent-encoded (`#`, `?`, `%` and spaces in folder names).
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                url.push(byte as char)
            }
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url
}

/// Prints the page to PDF with headless Chromium, through a temporary file
/// renamed into place, so a PDF on disk is always complete.
fn print_pdf(page: &Path, pdf: &Path) -> Result<(), Failure> {
    let fail = |message: String| Failure {
        code: EXIT_OUTPUT,
        message,
    };
    let browser = chromium().ok_or_else(|| {
        fail("--pdf needs Chromium, and none was found (chromium on the PATH, or set ICCSIM_CHROMIUM): install it with scripts/install-chromium.sh, or open the report in a browser and print it to PDF".into())
    })?;
    let page = page
        .canonicalize()
        .map_err(|e| fail(format!("{}: {e}", page.display())))?;
    let folder = page.parent().unwrap_or(Path::new("/")).to_path_buf();
    let temporary = folder.join(format!(".iccsim-report-{}.pdf", std::process::id()));
    let profile = std::env::temp_dir().join(format!("iccsim-chromium-{}", std::process::id()));
    // The flags that work headless as root on a machine with no network
    // (../shared/notes/environment.md, section 4).
    let child = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", temporary.display()))
        .arg(file_url(&page))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    // A browser that hangs is stopped, not waited for.
    let outcome = child.map_err(|e| e.to_string()).and_then(|mut child| {
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(format!("it ended with {status}")),
                Ok(None) if started.elapsed() > PRINT_TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("stopped after {} s", PRINT_TIMEOUT.as_secs()));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                Err(e) => return Err(e.to_string()),
            }
        }
    });
    let _ = std::fs::remove_dir_all(&profile);
    let printed = std::fs::read(&temporary).is_ok_and(|bytes| bytes.starts_with(b"%PDF-"));
    if let Err(why) = outcome.clone().and_then(|()| {
        if printed {
            Ok(())
        } else {
            Err("it wrote no PDF".to_string())
        }
    }) {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail(format!(
            "{} could not print {} to PDF: {why}",
            browser.display(),
            page.display()
        )));
    }
    std::fs::rename(&temporary, pdf).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        fail(format!("{}: {e}", pdf.display()))
    })
}
