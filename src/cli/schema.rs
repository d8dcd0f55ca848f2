//! `iccsim schema`: the JSON Schema of scenario files, which editors use to
//! check one as it is typed.

use super::args::SchemaArgs;
use super::exit::{Exit, Failure};
use super::shared::print_document;
use iccsim::report::atomic::write_atomically;
use iccsim::scenario;

pub(super) fn schema(args: SchemaArgs) -> Result<(), Failure> {
    let text = scenario::schema::json_schema();
    match &args.out {
        None => print_document(&text)?,
        Some(path) => {
            // Only a schema iccsim wrote is replaced: `--out README.md` must
            // not overwrite the user's file.
            // Only the very schema this iccsim writes is replaced without
            // --force: an edited schema, another version's, or any other
            // file (`--out README.md`) is the user's.
            let same = std::fs::read(path).is_ok_and(|bytes| bytes == text.as_bytes());
            if path.exists() && !args.force && !same {
                return Err(Failure {
                    code: Exit::Output,
                    message: format!(
                        "{} exists and is not the schema this iccsim writes (another file, an edited schema, or another version's); choose another --out, or add --force to replace it",
                        path.display()
                    ),
                });
            }
            write_atomically(path, text.as_bytes()).map_err(|e| Failure {
                code: Exit::Output,
                message: format!("{e}"),
            })?;
            say!(
                "Wrote the scenario schema to {}. In VS Code with Even Better TOML, start a scenario file with\n  #:schema {}",
                path.display(),
                path.display()
            );
        }
    }
    Ok(())
}
