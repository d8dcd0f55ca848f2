//! Which files a batch writes (`--outputs summary,breakdown,…`) and whether
//! the files that grow with the replications are gzip-compressed
//! (`--compress`): one place any command can call to filter and name the
//! files it is about to commit.
//!
//! What was run (`run.json`, `scenario.toml`) and `records.csv` (every
//! value of every replication, bit-exact: what `--resume` and `merge` read,
//! and what every other file is drawn from) are always written;
//! `--compress` writes `records.csv.gz`, which both read as it is
//! ([`super::checkpoint::read_records`]).

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::atomic::FileBody;

/// Every value of every replication (`super::checkpoint`).
const RECORDS: &str = "records.csv";

/// A group of output files `--outputs` can choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Output {
    /// Summaries across replications: what `iccsim report` draws from.
    Summary,
    Replications,
    Results,
    Breakdown,
    Flows,
    Delays,
    Pressure,
    Registers,
    /// The stock-and-flow series (`super::stock_flow`): chosen by name only
    /// (not in the default set), as a batch runs its replications again
    /// to write them.
    StockFlow,
}

impl Output {
    pub const ALL: [Output; 9] = [
        Output::Summary,
        Output::Replications,
        Output::Results,
        Output::Breakdown,
        Output::Flows,
        Output::Delays,
        Output::Pressure,
        Output::Registers,
        Output::StockFlow,
    ];

    /// Its name for `--outputs`.
    pub fn name(self) -> &'static str {
        match self {
            Output::Summary => "summary",
            Output::Replications => "replications",
            Output::Results => "results",
            Output::Breakdown => "breakdown",
            Output::Flows => "flows",
            Output::Delays => "delays",
            Output::Pressure => "pressure",
            Output::Registers => "registers",
            Output::StockFlow => "stock_flow",
        }
    }

    /// The files of the group (those a scenario has: `registers.csv` only
    /// with risk registers, and so on).
    pub fn files(self) -> &'static [&'static str] {
        match self {
            Output::Summary => &[
                "summary.csv",
                "breakdown_summary.csv",
                "thresholds.csv",
                "budget.csv",
                "workforce.csv",
                "uncertainty.csv",
                "variance_split.csv",
            ],
            Output::Replications => &["replications.csv"],
            Output::Results => &["results.json"],
            Output::Breakdown => &["breakdown.csv", "breakdown_margins.csv"],
            Output::Flows => &["flows_by_kind.csv"],
            Output::Delays => &["delays.csv"],
            Output::Pressure => &["pressure.csv"],
            Output::Registers => &["registers.csv"],
            Output::StockFlow => &["stock_flow.csv", "stocks_by_period.csv"],
        }
    }

    /// Whether its files grow with the replications (and so are the ones
    /// `--compress` compresses); the summaries stay plain for a glance.
    pub fn grows(self) -> bool {
        self != Output::Summary
    }

    /// The group a file belongs to; `None` for the files always written.
    pub fn of_file(file: &str) -> Option<Output> {
        Output::ALL.into_iter().find(|o| o.files().contains(&file))
    }

    /// Every name, comma-separated, for messages and help.
    pub fn names() -> String {
        Output::ALL.map(Output::name).join(",")
    }
}

/// The outputs chosen, and whether the growing ones are compressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputChoice {
    pub chosen: Vec<Output>,
    pub compress: bool,
}

impl Default for OutputChoice {
    /// Every output but `stock_flow` (which runs the replications
    /// again), uncompressed: the set a batch has always written.
    fn default() -> OutputChoice {
        OutputChoice {
            chosen: Output::ALL
                .into_iter()
                .filter(|o| *o != Output::StockFlow)
                .collect(),
            compress: false,
        }
    }
}

impl OutputChoice {
    /// The outputs named in `list` (comma-separated, e.g.
    /// `summary,breakdown`); an unknown name is refused with the valid ones.
    pub fn parse(list: &str, compress: bool) -> Result<OutputChoice, String> {
        let mut chosen = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let output = Output::ALL
                .into_iter()
                .find(|o| o.name() == name)
                .ok_or_else(|| {
                    format!(
                        "--outputs {list}: no output called `{name}`; choose among {} (comma-separated)",
                        Output::names()
                    )
                })?;
            if !chosen.contains(&output) {
                chosen.push(output);
            }
        }
        if chosen.is_empty() {
            return Err(format!(
                "--outputs {list:?} names no output; choose among {} (comma-separated)",
                Output::names()
            ));
        }
        chosen.sort();
        Ok(OutputChoice { chosen, compress })
    }

    /// Whether `output` is among the chosen.
    pub fn has(&self, output: Output) -> bool {
        self.chosen.contains(&output)
    }

    /// Whether a file is written: always for the files of no group.
    pub fn keeps(&self, file: &str) -> bool {
        Output::of_file(file).is_none_or(|o| self.has(o))
    }

    /// The name a file is written under: `.gz` added when compressed.
    pub fn file_name(&self, file: &str) -> String {
        let grows = match Output::of_file(file) {
            Some(o) => o.grows(),
            None => file == RECORDS,
        };
        if self.compress && grows {
            format!("{file}.gz")
        } else {
            file.to_string()
        }
    }

    /// The files kept by the choice, named and compressed as it says.
    pub fn apply<'a>(
        &self,
        files: Vec<(&'a str, Box<dyn FileBody + 'a>)>,
    ) -> Vec<(String, Box<dyn FileBody + 'a>)> {
        files
            .into_iter()
            .filter(|(name, _)| self.keeps(name))
            .map(|(name, body)| {
                let named = self.file_name(name);
                if named == name {
                    (named, body)
                } else {
                    (named, Box::new(Gzipped(body)) as Box<dyn FileBody + 'a>)
                }
            })
            .collect()
    }
}

/// A file body gzip-compressed as it is written (level 6, gzip's default:
/// a tenth of the text for `breakdown.csv`, at about the speed it is
/// written). pandas and R read `.csv.gz` directly.
pub struct Gzipped<B>(pub B);

impl<B: FileBody> FileBody for Gzipped<B> {
    fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut encoder = GzEncoder::new(std::io::BufWriter::new(out), Compression::default());
        self.0.write_to(&mut encoder)?;
        encoder.finish()?.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn an_unknown_output_is_refused_naming_every_valid_one() {
        let err = OutputChoice::parse("summary,brekdown", false).unwrap_err();
        assert!(err.contains("`brekdown`"), "{err}");
        assert!(
            err.contains("summary,replications,results,breakdown,flows,delays,pressure,registers"),
            "{err}"
        );
        assert!(OutputChoice::parse(" , ", false).is_err());
    }

    #[test]
    fn the_choice_keeps_its_files_and_those_always_written() {
        let choice = OutputChoice::parse("breakdown,summary,breakdown", true).unwrap();
        assert_eq!(choice.chosen, vec![Output::Summary, Output::Breakdown]);
        for kept in [
            "breakdown.csv",
            "breakdown_margins.csv",
            "summary.csv",
            "records.csv",
            "run.json",
        ] {
            assert!(choice.keeps(kept), "{kept}");
        }
        for dropped in [
            "replications.csv",
            "results.json",
            "registers.csv",
            "flows_by_kind.csv",
        ] {
            assert!(!choice.keeps(dropped), "{dropped}");
        }
        assert_eq!(choice.file_name("breakdown.csv"), "breakdown.csv.gz");
        assert_eq!(choice.file_name("summary.csv"), "summary.csv");
        assert_eq!(choice.file_name("records.csv"), "records.csv.gz");
        assert_eq!(choice.file_name("run.json"), "run.json");
        let plain = OutputChoice::parse("summary", false).unwrap();
        assert_eq!(plain.file_name("records.csv"), "records.csv");
    }

    #[test]
    fn a_gzipped_body_round_trips_to_the_same_bytes() {
        let text = b"scenario,replication,value\nx,0,0.1\nx,1,170000.12345678901\n".repeat(50);
        let mut written = Vec::new();
        Gzipped(text.clone()).write_to(&mut written).unwrap();
        assert_eq!(&written[..2], &[0x1f, 0x8b], "gzip's magic number");
        assert!(written.len() < text.len() / 5, "{} bytes", written.len());
        let mut read = Vec::new();
        flate2::read::GzDecoder::new(&written[..])
            .read_to_end(&mut read)
            .unwrap();
        assert_eq!(read, text);
    }
}
