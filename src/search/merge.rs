//! Merging scored lists (sorted by doc id): unions with a tie breaker, intersections, and
//! restricting one list to the documents of another.

use std::cell::RefCell;

use tantivy::DocId;

use super::execute::Scored;

/// Keeps the documents of `list` that are in `within` (both sorted), adding their scores
/// there when `add` is set.
pub(super) fn keep_in(list: &mut Vec<Scored>, within: &[Scored], add: bool) {
    let mut kept = 0;
    let mut j = 0;
    for i in 0..list.len() {
        let (doc, score) = list[i];
        while j < within.len() && within[j].0 < doc {
            j += 1;
        }
        if j < within.len() && within[j].0 == doc {
            list[kept] = (doc, if add { score + within[j].1 } else { score });
            kept += 1;
        }
    }
    list.truncate(kept);
}

/// Adds the scores of `extra` (a subset of `list`'s documents, sorted) to `list`.
pub(super) fn add_matching(list: &mut [Scored], extra: &[Scored]) {
    let mut j = 0;
    for (doc, score) in list.iter_mut() {
        while j < extra.len() && extra[j].0 < *doc {
            j += 1;
        }
        if j < extra.len() && extra[j].0 == *doc {
            *score += extra[j].1;
        }
    }
}

/// Documents in any of `lists` (each sorted by doc): the best score, plus `tie` times the
/// others', plus `per_match` for every list that has the document.
pub(super) fn union(mut lists: Vec<Vec<Scored>>, tie: f32, per_match: f32) -> Vec<Scored> {
    lists.retain(|list| !list.is_empty());
    if lists.len() <= 1 && per_match == 0.0 {
        return lists.pop().unwrap_or_default();
    }
    let entries: usize = lists.iter().map(Vec::len).sum();
    if entries < DENSE_UNION_ENTRIES {
        return merged_union(&lists, tie, per_match);
    }
    SCRATCH.with(|scratch| scratch.borrow_mut().union(&lists, tie, per_match))
}

/// Unions of at least this many entries are added up in per-document arrays rather than
/// merged list by list.
const DENSE_UNION_ENTRIES: usize = 512;

thread_local! {
    /// One accumulator a thread: unions run one at a time (a node's children are evaluated
    /// before its union), and the arrays are cleared as they are read out.
    static SCRATCH: RefCell<Accumulator> = RefCell::new(Accumulator::default());
}

/// Per-document running totals for large unions, indexed by doc id, with a bitset of the
/// documents touched: adding an entry costs a few instructions whatever the number of
/// lists, and the bitset yields the documents in order.
#[derive(Default)]
struct Accumulator {
    totals: Vec<Total>,
    touched: Vec<u64>,
}

/// One document's running total in a union.
#[derive(Clone, Copy, Default)]
struct Total {
    best: f32,
    sum: f32,
    count: u32,
}

impl Accumulator {
    fn union(&mut self, lists: &[Vec<Scored>], tie: f32, per_match: f32) -> Vec<Scored> {
        let docs = lists
            .iter()
            .filter_map(|list| list.last())
            .map(|&(doc, _)| doc as usize + 1)
            .max()
            .unwrap_or(0);
        if self.totals.len() < docs {
            self.totals.resize(docs, Total::default());
            self.touched.resize(docs.div_ceil(64), 0);
        }
        let mut distinct = 0;
        for list in lists {
            for &(doc, score) in list {
                let at = doc as usize;
                let (word, bit) = (at / 64, 1u64 << (at % 64));
                let total = &mut self.totals[at];
                if self.touched[word] & bit == 0 {
                    self.touched[word] |= bit;
                    *total = Total {
                        best: score,
                        sum: score,
                        count: 1,
                    };
                    distinct += 1;
                } else {
                    total.best = total.best.max(score);
                    total.sum += score;
                    total.count += 1;
                }
            }
        }
        let mut out = Vec::with_capacity(distinct);
        for (word, bits) in self.touched[..docs.div_ceil(64)].iter_mut().enumerate() {
            let mut left = std::mem::take(bits);
            while left != 0 {
                let at = word * 64 + left.trailing_zeros() as usize;
                left &= left - 1;
                let Total { best, sum, count } = self.totals[at];
                let score = best + tie * (sum - best) + per_match * count as f32;
                out.push((at as DocId, score));
            }
        }
        out
    }
}

/// [`union`] for a few short lists: one pass over all lists at once, finding the next
/// document by looking at every list's head.
fn merged_union(lists: &[Vec<Scored>], tie: f32, per_match: f32) -> Vec<Scored> {
    let mut at = vec![0usize; lists.len()];
    let mut out = Vec::with_capacity(lists.iter().map(Vec::len).max().unwrap_or(0));
    loop {
        let next = lists
            .iter()
            .zip(&at)
            .filter_map(|(list, &i)| list.get(i).map(|&(doc, _)| doc))
            .min();
        let Some(doc) = next else {
            break;
        };
        let (mut best, mut sum, mut count) = (f32::MIN, 0.0, 0u32);
        for (list, i) in lists.iter().zip(at.iter_mut()) {
            if let Some(&(d, score)) = list.get(*i) {
                if d == doc {
                    best = best.max(score);
                    sum += score;
                    count += 1;
                    *i += 1;
                }
            }
        }
        out.push((doc, best + tie * (sum - best) + per_match * count as f32));
    }
    out
}

/// Documents in every one of `lists`, their scores added. No lists: no documents.
pub(super) fn intersection(mut lists: Vec<Vec<Scored>>) -> Vec<Scored> {
    lists.sort_by_key(Vec::len);
    let mut lists = lists.into_iter();
    let Some(mut out) = lists.next() else {
        return Vec::new();
    };
    for list in lists {
        keep_in(&mut out, &list, true);
        if out.is_empty() {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_keeps_the_best_plus_a_share_of_the_rest() {
        let merged = union(
            vec![
                vec![(1, 2.0), (3, 1.0)],
                vec![(1, 1.0), (2, 4.0)],
                vec![(3, 3.0)],
            ],
            0.5,
            0.0,
        );
        assert_eq!(merged, vec![(1, 2.5), (2, 4.0), (3, 3.5)]);
    }

    #[test]
    fn a_large_union_adds_up_as_a_merge_does() {
        let lists: Vec<Vec<Scored>> = (1..4u32)
            .map(|step| {
                (0..700u32)
                    .step_by(step as usize)
                    .map(|d| (d, step as f32))
                    .collect()
            })
            .collect();
        assert!(lists.iter().map(Vec::len).sum::<usize>() >= DENSE_UNION_ENTRIES);
        for (tie, per_match) in [(0.0, 0.0), (0.5, 0.0), (1.0, 100.0)] {
            let dense = union(lists.clone(), tie, per_match);
            assert_eq!(dense, merged_union(&lists, tie, per_match));
            assert_eq!(dense.len(), 700, "the first list has every document");
        }
        // The scratch arrays are clean for the next union.
        assert_eq!(union(vec![vec![(5, 1.0)]; 600], 0.0, 1.0)[0], (5, 601.0));
    }

    #[test]
    fn union_counts_every_matched_list() {
        let merged = union(vec![vec![(1, 2.0)], vec![(1, 1.0), (2, 1.0)]], 1.0, 100.0);
        assert_eq!(merged, vec![(1, 203.0), (2, 101.0)]);
    }

    #[test]
    fn intersection_needs_every_list_and_adds_scores() {
        let both = intersection(vec![
            vec![(1, 1.0), (2, 1.0), (5, 1.0)],
            vec![(2, 2.0), (5, 0.5), (9, 1.0)],
        ]);
        assert_eq!(both, vec![(2, 3.0), (5, 1.5)]);
        assert!(intersection(vec![vec![(1, 1.0)], vec![]]).is_empty());
        assert!(intersection(Vec::new()).is_empty());
    }
}
