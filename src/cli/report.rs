//! `iccsim report` (and `--report` on `batch` and `compare`): draws the
//! board report of a results folder and writes it — the charts first, in a
//! folder of the page's own (`<page>-charts/`), then the page that links to
//! them, each file atomically — and, with `--pdf`, prints the page with
//! headless Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::args::{ReportArgs, ReportOptions};
use super::exit::{Exit, Failure};
use iccsim::report::OutputFolder;
use iccsim::report::board;
use iccsim::report::output_folder::{self, REPORT_GROUP_PREFIX, Replace, Request};

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
        Target::Open { force: args.force },
    )
}

/// The folder of a page's charts: `report.html` has `report-charts/`.
fn charts_folder_name(page: &Path) -> String {
    let stem = page
        .file_stem()
        .map_or("report".into(), |s| s.to_string_lossy().to_string());
    format!("{stem}-charts")
}

/// The report of results just written (`--report` on `batch` and
/// `compare`): `report.html` in their folder, which the command holds.
pub(super) fn write_default_report(
    results: &mut OutputFolder,
    options: &ReportOptions,
    quiet: bool,
) -> Result<(), Failure> {
    let folder = results.path().to_path_buf();
    write_report(
        &folder,
        &folder.join(REPORT_FILE),
        None,
        options,
        quiet,
        Target::Held(results),
    )
}

/// Where a page is written: a folder the calling command already holds,
/// or the page's folder, opened (and locked) here.
pub(super) enum Target<'a> {
    Held(&'a mut OutputFolder),
    Open { force: bool },
}

/// Draws the report of `results` into `out` (and its charts beside it).
pub(super) fn write_report(
    results: &Path,
    out: &Path,
    tornado: Option<&Path>,
    options: &ReportOptions,
    quiet: bool,
    target: Target,
) -> Result<(), Failure> {
    let is_html = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    let page_name = out.file_name().map(|n| n.to_string_lossy().to_string());
    let Some(page_name) = page_name.filter(|_| is_html) else {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "--out {}: the page is HTML; give a name ending .html (e.g. {})",
                out.display(),
                out.with_extension("html").display()
            ),
        });
    };
    let charts_name = charts_folder_name(out);
    let pdf_name = Path::new(&page_name)
        .with_extension("pdf")
        .to_string_lossy()
        .to_string();
    let folder_path = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !results.is_dir() {
        return Err(Failure {
            code: Exit::Scenario,
            message: format!(
                "cannot draw the report: {}: no such folder: give the output folder of `iccsim run`, `batch` or `compare`",
                results.display()
            ),
        });
    }
    // The page's folder is locked and checked before the drawing: the
    // page, its PDF and its charts folder may be written there, and only
    // over files iccsim wrote.
    let mut opened;
    let folder: &mut OutputFolder = match target {
        Target::Held(folder) => folder,
        Target::Open { force } => {
            let mut inputs = vec![results.to_path_buf()];
            inputs.extend(tornado.map(Path::to_path_buf));
            opened = OutputFolder::open(
                &folder_path,
                &Request {
                    force,
                    whole_folder: false,
                    may_write: vec![
                        page_name.clone(),
                        pdf_name.clone(),
                        format!("{charts_name}/"),
                    ],
                    inputs,
                },
            )?;
            &mut opened
        }
    };
    // A folder that mixes two runs' files is not drawn as one.
    output_folder::check_consistent(results).map_err(|message| Failure {
        code: Exit::Scenario,
        message: format!("cannot draw the report: {message}"),
    })?;
    // Unreadable or foreign results are bad input, like a bad scenario.
    let report = board::build(results, tornado, &charts_name).map_err(|message| Failure {
        code: Exit::Scenario,
        message: format!("cannot draw the report: {message}"),
    })?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for chart in &report.charts {
        files.push((
            format!("{charts_name}/{}.svg", chart.name),
            chart.svg.clone().into_bytes(),
        ));
        files.push((
            format!("{charts_name}/{}.png", chart.name),
            chart.png.clone(),
        ));
    }
    files.push((page_name.clone(), report.html.clone().into_bytes()));
    // The page's group: its charts, page and PDF of an earlier drawing that
    // this one has not are removed with it (a PDF of the old page too).
    let group = format!("{REPORT_GROUP_PREFIX}{page_name}");
    let named: Vec<(&str, &Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b)).collect();
    folder.commit(&named, &group, Replace::Group)?;
    let charts = folder_path.join(&charts_name);
    if !quiet {
        say!(
            "Wrote the report to {} ({} charts, also as SVG and PNG in {}/)",
            out.display(),
            report.charts.len(),
            charts.display()
        );
    }
    if options.pdf {
        let pdf = print_pdf(out)?;
        folder.commit(&[(pdf_name.as_str(), pdf)], &group, Replace::Nothing)?;
        if !quiet {
            say!("Printed it to {}", out.with_extension("pdf").display());
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

/// Prints the page to PDF with headless Chromium, into a temporary file of
/// ours, and returns the PDF's bytes (the caller commits them with the
/// page's set, so a PDF on disk is always complete and always the page's).
fn print_pdf(page: &Path) -> Result<Vec<u8>, Failure> {
    let fail = |message: String| Failure {
        code: Exit::Output,
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
    let printed = std::fs::read(&temporary)
        .ok()
        .filter(|bytes| bytes.starts_with(b"%PDF-"));
    let _ = std::fs::remove_file(&temporary);
    match (outcome, printed) {
        (Ok(()), Some(bytes)) => Ok(bytes),
        (outcome, _) => Err(fail(format!(
            "{} could not print {} to PDF: {}",
            browser.display(),
            page.display(),
            outcome
                .err()
                .unwrap_or_else(|| "it wrote no PDF".to_string())
        ))),
    }
}
