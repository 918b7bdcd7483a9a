//! Pairing the items a judged list names with the items kirana replied with, so each judged
//! item is scored against the reply item meant for it, whatever order or count came back.

use crate::analysis;
use crate::search::ItemResults;

/// For each judged item, the reply item that shares most words with it (each used once,
/// judged items in order, ties to the earlier reply item); `None` when no reply item shares
/// a word.
pub fn pair_items(judged: &[&str], replied: &[ItemResults]) -> Vec<Option<usize>> {
    let replied_words: Vec<Vec<String>> = replied
        .iter()
        .map(|item| analysis::tokens(&item.text))
        .collect();
    let mut used = vec![false; replied.len()];
    judged
        .iter()
        .map(|text| {
            let words = analysis::tokens(text);
            let best = replied_words
                .iter()
                .enumerate()
                .filter(|(at, _)| !used[*at])
                .map(|(at, theirs)| (at, overlap(&words, theirs)))
                .filter(|&(_, shared)| shared > 0.0)
                .fold(
                    None,
                    |best: Option<(usize, f64)>, (at, shared)| match best {
                        Some((_, top)) if top >= shared => best,
                        _ => Some((at, shared)),
                    },
                );
            if let Some((at, _)) = best {
                used[at] = true;
            }
            best.map(|(at, _)| at)
        })
        .collect()
}

/// Jaccard overlap of two word lists.
fn overlap(a: &[String], b: &[String]) -> f64 {
    let shared = a.iter().filter(|w| b.contains(w)).count() as f64;
    let union = (a.len() + b.len()) as f64 - shared;
    if union == 0.0 {
        0.0
    } else {
        shared / union
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Understood;

    fn item(text: &str) -> ItemResults {
        ItemResults {
            text: text.to_string(),
            understood: Understood {
                terms: Vec::new(),
                quantity: None,
                brand: None,
                price_max: None,
                price_min: None,
                ignored: Vec::new(),
                relaxed: false,
                sort: None,
                prefer: Vec::new(),
            },
            total_hits: 0,
            hits: Vec::new(),
        }
    }

    #[test]
    fn judged_items_meet_the_reply_items_that_share_their_words() {
        let replied = [item("bhaiya 2 kg chawal"), item("1 kg dal bhej do")];
        assert_eq!(
            pair_items(&["2 kg chawal", "1 kg dal"], &replied),
            [Some(0), Some(1)]
        );
        assert_eq!(pair_items(&["dal", "chawal"], &replied), [Some(1), Some(0)]);
        assert_eq!(pair_items(&["atta", "dal"], &replied), [None, Some(1)]);
        assert_eq!(pair_items(&["atta"], &[]), [None]);
    }
}
