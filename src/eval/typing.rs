//! Suggestions, measured while a shopper types: for each judged target the text is typed a
//! character at a time, and the target is found at the first prefix whose suggestions hold a
//! completion carrying every word of one accepted phrase. Reported per class: the share found
//! before the text was fully typed, and the keystrokes that saved (1 − typed ÷ full length;
//! a target never found saves nothing). Format: `index-data/eval/typing/README.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;

use crate::analysis;
use crate::engine::Engine;
use crate::error::Result;

/// Suggestions a chat client shows while typing.
pub const SHOWN: usize = 8;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetLine {
    class: String,
    typed: String,
    accept: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// One typing target, its accepted phrases analyzed.
#[derive(Debug, Clone)]
pub struct TypingTarget {
    pub class: String,
    pub typed: String,
    accept: Vec<Vec<String>>,
}

/// Parses a typing set; an error names the line.
pub fn parse_targets(text: &str) -> Result<Vec<TypingTarget>> {
    let mut out = Vec::new();
    for (parsed, bad) in super::json_lines::<TargetLine>(text, "typing_set_invalid")? {
        let accept: Vec<Vec<String>> = parsed
            .accept
            .iter()
            .map(|phrase| analysis::tokens(phrase))
            .filter(|words| !words.is_empty())
            .collect();
        if accept.is_empty() || parsed.typed.trim().is_empty() {
            return Err(bad(
                "a target needs typed text and an accepted phrase".into()
            ));
        }
        out.push(TypingTarget {
            class: parsed.class,
            typed: parsed.typed,
            accept,
        });
    }
    Ok(out)
}

/// How one target fared.
#[derive(Debug, Clone)]
pub struct TypingOutcome {
    pub class: String,
    pub typed: String,
    /// Characters typed when the target first showed, if it did.
    pub found_at: Option<usize>,
    /// Characters of the whole text.
    pub length: usize,
}

impl TypingOutcome {
    /// Found before the whole text was typed.
    pub fn found_early(&self) -> bool {
        self.found_at.is_some_and(|at| at < self.length)
    }

    /// Share of keystrokes the suggestion saved.
    pub fn saved(&self) -> f64 {
        match self.found_at {
            Some(at) if self.length > 0 => 1.0 - at as f64 / self.length as f64,
            _ => 0.0,
        }
    }
}

/// Types every target into `catalog`'s suggestions.
pub fn evaluate(
    engine: &Engine,
    catalog: &str,
    targets: &[TypingTarget],
) -> Result<Vec<TypingOutcome>> {
    let mut out = Vec::with_capacity(targets.len());
    for target in targets {
        let chars: Vec<char> = target.typed.chars().collect();
        let mut found_at = None;
        for at in 1..=chars.len() {
            if chars[at - 1] == ' ' {
                continue;
            }
            let prefix: String = chars[..at].iter().collect();
            let reply = engine.suggest(catalog, &prefix, SHOWN)?;
            let hit = reply.suggestions.iter().any(|s| {
                let words = analysis::tokens(&s.text);
                target
                    .accept
                    .iter()
                    .any(|phrase| phrase.iter().all(|w| words.contains(w)))
            });
            if hit {
                found_at = Some(at);
                break;
            }
        }
        out.push(TypingOutcome {
            class: target.class.clone(),
            typed: target.typed.clone(),
            found_at,
            length: chars.len(),
        });
    }
    Ok(out)
}

/// Per class and overall: targets, found before fully typed, keystrokes saved; then the
/// targets never found.
pub fn render(title: &str, outcomes: &[TypingOutcome]) -> String {
    let mut by_class: BTreeMap<&str, Vec<&TypingOutcome>> = BTreeMap::new();
    for outcome in outcomes {
        by_class.entry(&outcome.class).or_default().push(outcome);
    }
    let mut out = format!(
        "{title}\n{:<12} {:>7} {:>9} {:>15}\n",
        "class", "targets", "found", "keys saved"
    );
    let all: Vec<&TypingOutcome> = outcomes.iter().collect();
    for (name, group) in by_class
        .iter()
        .map(|(k, v)| (*k, v))
        .chain([("overall", &all)])
    {
        let (found, saved) = figures(group);
        let _ = writeln!(
            out,
            "{name:<12} {:>7} {found:>9.3} {saved:>15.3}",
            group.len()
        );
    }
    let missed: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.found_early())
        .map(|o| o.typed.as_str())
        .collect();
    if !missed.is_empty() {
        let _ = writeln!(out, "not found before fully typed: {}", missed.join(" | "));
    }
    out
}

/// Share found before fully typed and mean keystrokes saved.
pub fn figures(group: &[&TypingOutcome]) -> (f64, f64) {
    let n = group.len().max(1) as f64;
    let found = group.iter().filter(|o| o.found_early()).count() as f64 / n;
    let saved = group.iter().map(|o| o.saved()).sum::<f64>() / n;
    (found, saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_keystrokes_saved_count_characters() {
        let set = parse_targets(
            "{\"class\":\"kind\",\"typed\":\"toor dal\",\"accept\":[\"toor dal\",\"arhar dal\"]}\n",
        )
        .unwrap();
        assert_eq!(set[0].accept, [vec!["toor", "dal"], vec!["arhar", "dal"]]);
        assert!(parse_targets("{\"class\":\"kind\",\"typed\":\"x\",\"accept\":[]}").is_err());
        let outcome = |found_at| TypingOutcome {
            class: "kind".into(),
            typed: "toor dal".into(),
            found_at,
            length: 8,
        };
        assert!((outcome(Some(2)).saved() - 0.75).abs() < 1e-9);
        assert!(outcome(Some(2)).found_early());
        assert!(
            !outcome(Some(8)).found_early(),
            "found only when typed whole"
        );
        assert_eq!(outcome(None).saved(), 0.0);
    }
}
