//! Readers of the lexicon's text files: line splitting, columns, and one parser per file,
//! each error carrying its file and line.

use std::collections::HashMap;

use super::{
    BaseUnit, Bound, Intent, IntentPhrase, LexiconError, PhrasePosition, PricePhrase, UnitAlias,
};
use crate::analysis::tokens;

pub(super) enum SynonymLine {
    Group(String),
    Concept { id: String, terms: Vec<String> },
}

pub(super) fn parse_synonym_line(content: &str) -> Result<SynonymLine, String> {
    if let Some(name) = content.strip_prefix('[') {
        let name = (name.strip_suffix(']').map(str::trim))
            .ok_or_else(|| format!("group line `{content}` must end with `]`"))?;
        check_slug(name, "group name")?;
        return Ok(SynonymLine::Group(name.to_string()));
    }
    let (id, terms) = (content.split_once(':'))
        .ok_or_else(|| format!("expected `id: term, term, ...` or `[group]`, got `{content}`"))?;
    let id = id.trim();
    check_slug(id, "concept id")?;
    let terms: Vec<String> = terms.split(',').map(|t| t.trim().to_string()).collect();
    if terms.iter().any(String::is_empty) {
        return Err(format!(
            "concept `{id}` has an empty term (two commas in a row or a trailing comma)"
        ));
    }
    if terms.len() < 2 {
        return Err(format!("concept `{id}` needs at least two terms"));
    }
    Ok(SynonymLine::Concept {
        id: id.to_string(),
        terms,
    })
}

pub(super) fn check_slug(name: &str, what: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && (name.chars()).all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        return Ok(());
    }
    Err(format!(
        "{what} `{name}` must be lowercase ASCII letters, digits and '-'"
    ))
}

pub(super) fn error_at(file: &'static str, line: usize) -> impl Fn(String) -> LexiconError {
    move |message| LexiconError {
        file,
        line,
        message,
    }
}

/// The non-blank lines of a file with their 1-based numbers, comments (`#` to the end of
/// the line) and surrounding whitespace removed.
pub(super) fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(at, line)| {
        let content = line.split('#').next().unwrap_or("").trim();
        (!content.is_empty()).then_some((at + 1, content))
    })
}

/// The tab-separated columns of a line; runs of tabs count as one, so columns may be aligned.
pub(super) fn columns<const N: usize>(content: &str, format: &str) -> Result<[String; N], String> {
    let fields: Vec<String> = (content.split('\t').map(str::trim))
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect();
    fields.try_into().map_err(|fields: Vec<String>| {
        let got = fields.len();
        format!("expected {N} tab-separated columns `{format}`, got {got}: `{content}`")
    })
}

/// A line of a word list: its number, the entry as written, and its tokens.
pub(super) type ListEntry = (usize, String, Vec<String>);

/// One entry a line; an entry that analyzes to nothing, or like an earlier one, is an error.
pub(super) fn parse_word_list(
    file: &'static str,
    text: &str,
    if_empty: &str,
) -> Result<Vec<ListEntry>, LexiconError> {
    let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
    let mut entries = Vec::new();
    for (line, content) in content_lines(text) {
        let fail = error_at(file, line);
        let analyzed = tokens(content);
        if analyzed.is_empty() {
            return Err(fail(format!(
                "`{content}` has no letters or digits, so no message can contain it; {if_empty}"
            )));
        }
        if let Some(first) = seen.insert(analyzed.clone(), line) {
            return Err(fail(format!(
                "`{content}` reads the same as line {first}; remove one"
            )));
        }
        entries.push((line, content.to_string(), analyzed));
    }
    Ok(entries)
}

pub(super) fn parse_currency(text: &str) -> Result<Vec<String>, LexiconError> {
    let hint = "symbols such as ₹ are dropped by word segmentation and need no entry";
    let entries = parse_word_list("currency.txt", text, hint)?;
    Ok(entries.into_iter().map(|(_, word, _)| word).collect())
}

pub(super) fn parse_units(text: &str) -> Result<Vec<UnitAlias>, LexiconError> {
    let mut seen: HashMap<String, (usize, BaseUnit, f64)> = HashMap::new();
    let mut units = Vec::new();
    for (line, content) in content_lines(text) {
        let fail = error_at("units.tsv", line);
        let [alias, base, factor] = columns(content, "alias<TAB>base<TAB>factor").map_err(&fail)?;
        let base = match base.as_str() {
            "g" => BaseUnit::Grams,
            "ml" => BaseUnit::Millilitres,
            "pcs" => BaseUnit::Pieces,
            other => return Err(fail(format!("base must be g, ml or pcs, got `{other}`"))),
        };
        let factor: f64 = (factor.parse().ok())
            .filter(|f: &f64| f.is_finite() && *f > 0.0)
            .ok_or_else(|| fail(format!("factor must be a positive number, got `{factor}`")))?;
        let [token] = tokens(&alias).try_into().map_err(|analyzed: Vec<String>| {
            fail(format!(
                "alias `{alias}` must analyze to one word (it follows a number), got {analyzed:?}"
            ))
        })?;
        match seen.get(&token) {
            Some(&(first, b, f)) if b != base || f != factor => {
                return Err(fail(format!(
                    "alias `{alias}` reads as `{token}`, which line {first} defines differently"
                )));
            }
            Some(_) => {} // "litres" after "litre": the same word, the same meaning
            None => {
                seen.insert(token, (line, base, factor));
            }
        }
        units.push(UnitAlias {
            alias,
            base,
            factor,
        });
    }
    Ok(units)
}

pub(super) fn parse_prices(text: &str) -> Result<Vec<PricePhrase>, LexiconError> {
    let mut seen: HashMap<(Vec<String>, PhrasePosition), usize> = HashMap::new();
    let mut phrases = Vec::new();
    for (line, content) in content_lines(text) {
        let fail = error_at("prices.tsv", line);
        let [phrase, bound, position] =
            columns(content, "phrase<TAB>max|min<TAB>before|after").map_err(&fail)?;
        let bound = match bound.as_str() {
            "max" => Bound::Max,
            "min" => Bound::Min,
            other => return Err(fail(format!("bound must be max or min, got `{other}`"))),
        };
        let position = match position.as_str() {
            "before" => PhrasePosition::Before,
            "after" => PhrasePosition::After,
            other => {
                return Err(fail(format!(
                    "position must be before or after, got `{other}`"
                )))
            }
        };
        let analyzed = tokens(&phrase);
        if analyzed.is_empty() {
            return Err(fail(format!("phrase `{phrase}` has no letters or digits")));
        }
        if let Some(first) = seen.insert((analyzed, position), line) {
            return Err(fail(format!(
                "phrase `{phrase}` reads the same as line {first}, in the same position"
            )));
        }
        phrases.push(PricePhrase {
            phrase,
            bound,
            position,
        });
    }
    Ok(phrases)
}

/// Reads `intents.tsv`: `phrase<TAB>intent`.
pub(super) fn parse_intents(text: &str) -> Result<Vec<IntentPhrase>, LexiconError> {
    let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
    let mut phrases = Vec::new();
    for (line, content) in content_lines(text) {
        let fail = error_at("intents.tsv", line);
        let [phrase, intent] = columns(content, "phrase<TAB>intent").map_err(&fail)?;
        let intent = Intent::parse(&intent).ok_or_else(|| {
            fail(format!(
                "intent must be cheapest, dearest, popular, big_pack, small_pack or on_sale, got `{intent}`"
            ))
        })?;
        let analyzed = tokens(&phrase);
        if analyzed.is_empty() {
            return Err(fail(format!("phrase `{phrase}` has no letters or digits")));
        }
        if let Some(first) = seen.insert(analyzed, line) {
            return Err(fail(format!(
                "phrase `{phrase}` reads the same as line {first}"
            )));
        }
        phrases.push(IntentPhrase { phrase, intent });
    }
    Ok(phrases)
}
