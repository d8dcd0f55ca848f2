//! `iccsim report` (and `--report` on `batch` and `compare`): draws the
//! board report of a results folder and writes it — the charts first, then
//! the page that links to them, each file atomically — and, with `--pdf`,
//! prints the page with headless Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::args::{ReportArgs, ReportOptions};
use super::{EXIT_OUTPUT, EXIT_SCENARIO, Failure};
use iccsim::report::board::{self, CHARTS_FOLDER};
use iccsim::report::{write_atomically, write_file_set};

/// The page's default name in the results folder.
pub(super) const REPORT_FILE: &str = "report.html";

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

/// Draws the report of `results` into `out` (and `charts/` beside it).
pub(super) fn write_report(
    results: &Path,
    out: &Path,
    tornado: Option<&Path>,
    options: &ReportOptions,
    quiet: bool,
) -> Result<(), Failure> {
    // Unreadable or foreign results are bad input, like a bad scenario.
    let report = board::build(results, tornado).map_err(|message| Failure {
        code: EXIT_SCENARIO,
        message: format!("cannot draw the report: {message}"),
    })?;
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for chart in &report.charts {
        files.push((
            format!("{}.svg", chart.name),
            chart.svg.clone().into_bytes(),
        ));
        files.push((format!("{}.png", chart.name), chart.png.clone()));
    }
    let named: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    write_file_set(&folder.join(CHARTS_FOLDER), &named, &names)?;
    write_atomically(out, report.html.as_bytes())?;
    if !quiet {
        eprintln!(
            "Wrote the report to {} ({} charts, also as SVG and PNG in {}/)",
            out.display(),
            report.charts.len(),
            folder.join(CHARTS_FOLDER).display()
        );
    }
    if options.pdf {
        let pdf = out.with_extension("pdf");
        print_pdf(out, &pdf)?;
        if !quiet {
            eprintln!("Printed it to {}", pdf.display());
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
    let status = Command::new(&browser)
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
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let _ = std::fs::remove_dir_all(&profile);
    let printed = matches!(status, Ok(s) if s.success())
        && std::fs::metadata(&temporary).is_ok_and(|m| m.len() > 0);
    if !printed {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail(format!(
            "{} could not print {} to PDF ({})",
            browser.display(),
            page.display(),
            match status {
                Ok(s) => format!("exit status {s}"),
                Err(e) => e.to_string(),
            }
        )));
    }
    std::fs::rename(&temporary, pdf).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        fail(format!("{}: {e}", pdf.display()))
    })
}
