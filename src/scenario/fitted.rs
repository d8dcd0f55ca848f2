//! A scenario's text with some values replaced and the rest kept as
//! written, comments included: what `iccsim calibrate --fit` writes to
//! `fitted.toml`. Each replaced value gets a comment at the end of its
//! line saying why (an inline table's line, when the value is inside one),
//! with the line's old comment kept after it. A key the text does not
//! give (a scenario that inherits it with `extends`) is added, so the
//! file still states every value it was fitted with.

use toml_edit::{DocumentMut, Item, Table, Value};

/// One value to write, at its key's path.
pub struct Edit {
    pub path: Vec<String>,
    pub value: toml::Value,
    /// Text of the comment (without `#`) for the value's line.
    pub comment: String,
}

/// `text` with every edit applied; the error says which key could not be
/// written (a part of its path is a value, not a table).
pub fn edited_text(text: &str, edits: &[Edit]) -> Result<String, String> {
    let mut document: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("the scenario is not TOML: {e}"))?;
    for edit in edits {
        apply(document.as_table_mut(), edit)?;
    }
    Ok(document.to_string())
}

/// A TOML value as toml_edit holds it (a number, text, list or inline
/// table), written as TOML would write it.
fn edit_value(value: &toml::Value) -> Result<Value, String> {
    let text = match value {
        toml::Value::Table(table) => {
            let inline: toml::Table = table.clone();
            format!("{{ {} }}", inline_entries(&inline))
        }
        other => other.to_string(),
    };
    text.parse::<Value>()
        .map_err(|e| format!("cannot write {text}: {e}"))
}

fn inline_entries(table: &toml::Table) -> String {
    table
        .iter()
        .map(|(k, v)| {
            let value = match v {
                toml::Value::Table(inner) => format!("{{ {} }}", inline_entries(inner)),
                other => other.to_string(),
            };
            format!(
                "{} = {value}",
                super::keys::canonical_key(std::slice::from_ref(k))
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn apply(root: &mut Table, edit: &Edit) -> Result<(), String> {
    let key = super::keys::canonical_key(&edit.path);
    let Some((last, tables)) = edit.path.split_last() else {
        return Err("an empty key".into());
    };
    let mut value = edit_value(&edit.value)?;
    // Down the tables written as [headers] (made, implicit, where the text
    // inherits them).
    let mut here = root;
    let mut depth = 0;
    while depth < tables.len() {
        let name = &tables[depth];
        if matches!(here.get(name), Some(Item::Value(Value::InlineTable(_)))) {
            break;
        }
        if !here.contains_key(name) {
            let mut table = Table::new();
            table.set_implicit(true);
            here.insert(name, Item::Table(table));
        }
        here = match here.get_mut(name) {
            Some(Item::Table(table)) => table,
            _ => {
                return Err(format!(
                    "cannot write `{key}`: `{}` is a value in the scenario, not a table",
                    super::keys::canonical_key(&edit.path[..=depth])
                ));
            }
        };
        depth += 1;
    }
    let comment = format!(" # {}", one_line(&edit.comment));
    if depth == tables.len() {
        // A key=value line of this table.
        let old = here.get(last).and_then(Item::as_value);
        let old_comment = old.and_then(|v| suffix_comment(v.decor().suffix()));
        if let Some(old) = old {
            *value.decor_mut() = old.decor().clone();
        } else {
            value.decor_mut().set_prefix(" ");
        }
        value
            .decor_mut()
            .set_suffix(with_old(&comment, old_comment.as_deref()));
        match here.get_mut(last) {
            Some(item) if item.is_value() => *item = Item::Value(value),
            _ => {
                here.insert(last, Item::Value(value));
            }
        }
        return Ok(());
    }
    // Inside an inline table on the line of `tables[depth]`: the value is
    // replaced there, and the comment goes at the end of that line.
    let line_key = &tables[depth];
    let Some(Item::Value(line_value)) = here.get_mut(line_key) else {
        return Err(format!("cannot write `{key}`"));
    };
    let old_comment = suffix_comment(line_value.decor().suffix());
    let mut inner: &mut Value = line_value;
    for name in &edit.path[depth + 1..edit.path.len() - 1] {
        inner = match inner {
            Value::InlineTable(table) => table
                .get_mut(name)
                .ok_or_else(|| format!("cannot write `{key}`: the scenario has no `{name}`"))?,
            _ => return Err(format!("cannot write `{key}`: `{name}` is not a table")),
        };
    }
    let Value::InlineTable(table) = inner else {
        return Err(format!("cannot write `{key}`: not in a table"));
    };
    match table.get_mut(last) {
        Some(old) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        None => {
            table.insert(last, value);
        }
    }
    let Some(Item::Value(line_value)) = here.get_mut(line_key) else {
        return Err(format!("cannot write `{key}`"));
    };
    // Several values of one inline table: each comment kept.
    let kept = match old_comment {
        Some(old) if old.starts_with("fitted by") || old.starts_with("set with") => {
            format!(" # {old}; {}", comment.trim_start_matches(" # "))
        }
        other => with_old(&comment, other.as_deref()),
    };
    line_value.decor_mut().set_suffix(kept);
    Ok(())
}

/// Our comment, then the line's old one (what the value's source was).
fn with_old(comment: &str, old: Option<&str>) -> String {
    match old {
        Some(old) if !old.is_empty() => format!("{comment}; before: {old}"),
        _ => comment.to_string(),
    }
}

/// The comment in a value's suffix (`   # text`), without the `#`.
fn suffix_comment(suffix: Option<&toml_edit::RawString>) -> Option<String> {
    let text = suffix?.as_str()?;
    let at = text.find('#')?;
    Some(text[at + 1..].trim().to_string())
}

/// Comment text on one line (a key or origin may hold a line break).
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(key: &str, value: toml::Value, comment: &str) -> Edit {
        Edit {
            path: super::super::keys::key_parts(key).unwrap(),
            value,
            comment: comment.into(),
        }
    }

    #[test]
    fn values_are_replaced_and_comments_kept() {
        let text = "# opening\nname = \"x\"\n\n[age_bands.\"85+\"]\ncrisis_per_1000 = 583.0   # tuned\nstay = { dist = \"lognormal\", mean = 8.2, sd = 12.3 }   # A\n# a comment line\nother = 1\n";
        let out = edited_text(
            text,
            &[
                edit(
                    "age_bands.\"85+\".crisis_per_1000",
                    toml::Value::Float(600.5),
                    "fitted by me",
                ),
                edit(
                    "age_bands.\"85+\".stay.mean",
                    toml::Value::Float(9.0),
                    "fitted too",
                ),
                edit("age_bands.\"85+\".other", toml::Value::Integer(3), "whole"),
                edit("sites.general.beds", toml::Value::Integer(400), "added"),
            ],
        )
        .unwrap();
        assert!(out.starts_with("# opening\nname = \"x\"\n"), "{out}");
        assert!(
            out.contains("crisis_per_1000 = 600.5 # fitted by me; before: tuned\n"),
            "{out}"
        );
        assert!(
            out.contains(
                "stay = { dist = \"lognormal\", mean = 9.0, sd = 12.3 } # fitted too; before: A\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("# a comment line\nother = 3 # whole\n"),
            "{out}"
        );
        let document: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(document["sites"]["general"]["beds"].as_integer(), Some(400));
        assert_eq!(
            document["age_bands"]["85+"]["stay"]["sd"].as_float(),
            Some(12.3)
        );
        // A value that is not a table on the way is an error, not a panic.
        let error = edited_text(text, &[edit("name.x", toml::Value::Integer(1), "")]).unwrap_err();
        assert!(error.contains("`name` is a value"), "{error}");
    }

    #[test]
    fn a_comment_cannot_end_its_line() {
        let out = edited_text(
            "a = 1\n",
            &[edit("a", toml::Value::Integer(2), "from x\nb = 3")],
        )
        .unwrap();
        let document: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(document.len(), 1, "{out}");
        assert_eq!(document["a"].as_integer(), Some(2));
    }
}
