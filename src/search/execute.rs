//! Runs a search plan over a snapshot a term at a time. Each term's postings are decoded once,
//! block by block, and scored with tantivy's BM25; the plan's tree then merges the scored
//! lists (sorted by doc id) bottom up. tantivy's scorers run the same tree a document at a
//! time through nested unions: for a word with its synonyms, phonetic key and six fields that
//! cost about ten times the reading of the postings themselves.

use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, SegmentReader, Term};

use super::merge::{add_matching, intersection, keep_in, union};
use super::plan::Filters;
use crate::error::Result;
use crate::index::{DocFacts, Snapshot};

/// A scored match: a document of one segment and its text score.
pub type Scored = (DocId, f32);

/// A node of a search plan.
#[derive(Debug, Clone)]
pub enum Node {
    /// A word in one field, scored by BM25 times `boost`; `docs` estimates how many
    /// documents carry it (the word dictionary's count over all fields).
    Term {
        field: Field,
        word: String,
        boost: f32,
        docs: u64,
    },
    /// Any child matches; the best child's score counts, plus `tie` times the others'.
    Best { children: Vec<Node>, tie: f32 },
    /// Every child must match; the scores add up.
    All(Vec<Node>),
    /// Documents that carry `value` whole in an untokenized field score `score`.
    Has {
        field: Field,
        value: String,
        score: f32,
    },
}

impl Node {
    /// A word in a field, which about `docs` documents carry.
    pub fn term(field: Field, word: &str, boost: f32, docs: u64) -> Node {
        Node::Term {
            field,
            word: word.to_string(),
            boost,
            docs,
        }
    }

    /// About how many documents the node reads: children that read few go first in an
    /// intersection and narrow what the others read.
    fn estimate(&self) -> u64 {
        match self {
            Node::Term { docs, .. } => *docs,
            Node::Best { children, .. } => children.iter().map(Node::estimate).sum(),
            Node::All(children) => children.iter().map(Node::estimate).min().unwrap_or(0),
            Node::Has { .. } => 0,
        }
    }

    /// The best of `children` plus `tie` times the rest; `None` when there are none.
    pub fn best(mut children: Vec<Node>, tie: f32) -> Option<Node> {
        match children.len() {
            0 => None,
            1 => children.pop(),
            _ => Some(Node::Best { children, tie }),
        }
    }

    /// All of `children`; `None` when there are none.
    pub fn all(mut children: Vec<Node>) -> Option<Node> {
        match children.len() {
            0 => None,
            1 => children.pop(),
            _ => Some(Node::All(children)),
        }
    }
}

/// Which products a search considers, before filters.
#[derive(Debug, Clone)]
pub enum Matching {
    /// Every product: a greeting or a filter-only browse.
    Everything,
    /// Products that match every slot of the message; those that also match `bonus` get its
    /// score on top.
    Every {
        slots: Vec<Node>,
        bonus: Option<Node>,
    },
    /// Products that match any slot; each matched slot adds `per_match` to the score.
    Any { slots: Vec<Node>, per_match: f32 },
}

/// Every live document that matches and passes the filters: calls `visit` once per match
/// with its address, its ranking facts and its text score.
pub fn run<'s>(
    snapshot: &'s Snapshot,
    matching: &Matching,
    filters: &Filters,
    mut visit: impl FnMut(DocAddress, &'s DocFacts, f32),
) -> Result<()> {
    let context = Context::new(snapshot)?;
    for (ord, segment) in snapshot.searcher.segment_readers().iter().enumerate() {
        let mut required = Vec::new();
        if !filters.brands.is_empty() {
            required.push(with_any(
                segment,
                snapshot.fields.brand_exact,
                &filters.brands,
            )?);
        }
        if !filters.categories.is_empty() {
            let field = snapshot.fields.category_exact;
            required.push(with_any(segment, field, &filters.categories)?);
        }
        let within = (!required.is_empty()).then(|| intersection(required));
        let within = within.as_deref();
        let matched = match matching {
            Matching::Everything => match within {
                Some(docs) => docs.to_vec(),
                None => (0..segment.max_doc()).map(|doc| (doc, 0.0)).collect(),
            },
            Matching::Every { slots, bonus } => {
                let mut matched = context.every(segment, slots, within)?;
                if let Some(bonus) = bonus {
                    let extra = context.evaluate(segment, bonus, Some(&matched))?;
                    add_matching(&mut matched, &extra);
                }
                matched
            }
            Matching::Any { slots, per_match } => {
                let lists = slots
                    .iter()
                    .map(|slot| context.evaluate(segment, slot, within))
                    .collect::<Result<Vec<_>>>()?;
                union(lists, 1.0, *per_match)
            }
        };
        let facts = snapshot.docs.segment(ord);
        let alive = segment.alive_bitset();
        for (doc, score) in matched {
            let Some(fact) = facts.get(doc as usize) else {
                continue;
            };
            let in_price = |bound: Option<f64>, within: fn(f64, f64) -> bool| {
                bound.is_none_or(|b| fact.price().is_some_and(|p| within(p, b)))
            };
            if alive.is_none_or(|bits| bits.is_alive(doc))
                && (!filters.in_stock || fact.orderable)
                && in_price(filters.price_min, |p, b| p >= b)
                && in_price(filters.price_max, |p, b| p <= b)
            {
                visit(DocAddress::new(ord as u32, doc), fact, score);
            }
        }
    }
    Ok(())
}

/// Statistics shared by the segments: BM25's document count.
struct Context<'a> {
    snapshot: &'a Snapshot,
    /// Documents in all segments, deleted ones included, as tantivy's BM25 counts them.
    documents: u64,
}

impl<'a> Context<'a> {
    fn new(snapshot: &'a Snapshot) -> Result<Self> {
        Ok(Context {
            snapshot,
            documents: snapshot.searcher.total_num_docs()?,
        })
    }

    /// The node's matches in one segment with the node's own scores, only among the
    /// documents of `within` (sorted) when given.
    fn evaluate(
        &self,
        segment: &SegmentReader,
        node: &Node,
        within: Option<&[Scored]>,
    ) -> Result<Vec<Scored>> {
        match node {
            Node::Term {
                field, word, boost, ..
            } => self.term(segment, *field, word, *boost, within),
            Node::Best { children, tie } => {
                let lists = children
                    .iter()
                    .map(|child| self.evaluate(segment, child, within))
                    .collect::<Result<Vec<_>>>()?;
                Ok(union(lists, *tie, 0.0))
            }
            Node::All(children) => self.every(segment, children, within),
            Node::Has {
                field,
                value,
                score,
            } => {
                let mut docs = with_any(segment, *field, std::slice::from_ref(value))?;
                if let Some(within) = within {
                    keep_in(&mut docs, within, false);
                }
                docs.iter_mut().for_each(|(_, s)| *s = *score);
                Ok(docs)
            }
        }
    }

    /// Documents matching every one of `nodes`: the node expected to read least goes first,
    /// and each next one is read only among the documents left.
    fn every(
        &self,
        segment: &SegmentReader,
        nodes: &[Node],
        within: Option<&[Scored]>,
    ) -> Result<Vec<Scored>> {
        let mut order: Vec<&Node> = nodes.iter().collect();
        order.sort_by_key(|node| node.estimate());
        let mut matched: Option<Vec<Scored>> = None;
        for node in order {
            let mut next = self.evaluate(segment, node, matched.as_deref().or(within))?;
            if let Some(matched) = &matched {
                keep_in(&mut next, matched, true);
            }
            if next.is_empty() {
                return Ok(next);
            }
            matched = Some(next);
        }
        Ok(matched.unwrap_or_default())
    }

    /// A word's postings in one field, scored as tantivy's `TermQuery` scores them; only
    /// among the documents of `within` when given.
    fn term(
        &self,
        segment: &SegmentReader,
        field: Field,
        word: &str,
        boost: f32,
        within: Option<&[Scored]>,
    ) -> Result<Vec<Scored>> {
        let term = Term::from_field_text(field, word);
        let inverted = segment.inverted_index(field)?;
        let Some(info) = inverted.get_term_info(&term)? else {
            return Ok(Vec::new());
        };
        let doc_freq = if self.snapshot.searcher.segment_readers().len() == 1 {
            u64::from(info.doc_freq)
        } else {
            self.snapshot.searcher.doc_freq(&term)?
        };
        let Some(bm25) = self.snapshot.bm25(field) else {
            return Ok(Vec::new());
        };
        // The snapshot's weight was made for a word in no document: scale it to this one's.
        let idf = bm25_idf(doc_freq, self.documents);
        let bm25: Bm25Weight = bm25.boost_by(boost * idf / bm25_idf(0, self.documents));
        let fieldnorms = segment.get_fieldnorms_reader(field)?;
        let mut postings =
            inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
        if let Some(within) = within.filter(|w| w.len() * SEEK_RATIO < info.doc_freq as usize) {
            // Few candidates and a long list: jump to each candidate through the skip list.
            let mut out = Vec::with_capacity(within.len());
            for &(doc, _) in within {
                let at = postings.seek(doc);
                if postings.doc(at) == doc {
                    let freq = postings.freqs().get(at).copied().unwrap_or(1);
                    out.push((doc, bm25.score(fieldnorms.fieldnorm_id(doc), freq)));
                }
            }
            return Ok(out);
        }
        let mut out = Vec::with_capacity(info.doc_freq as usize);
        loop {
            let docs = postings.docs();
            if docs.is_empty() {
                break;
            }
            let freqs = postings.freqs();
            for (i, &doc) in docs.iter().enumerate() {
                let freq = freqs.get(i).copied().unwrap_or(1);
                out.push((doc, bm25.score(fieldnorms.fieldnorm_id(doc), freq)));
            }
            postings.advance();
        }
        if let Some(within) = within {
            keep_in(&mut out, within, false);
        }
        Ok(out)
    }
}

/// A posting list this many times longer than the candidates it is checked against is
/// sought through rather than read whole.
const SEEK_RATIO: usize = 4;

/// BM25's inverse document frequency, as tantivy computes it.
pub(super) fn bm25_idf(doc_freq: u64, documents: u64) -> f32 {
    let (n, df) = (documents as f32, doc_freq as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// Documents carrying any of `values` in an exact field, unscored.
fn with_any(segment: &SegmentReader, field: Field, values: &[String]) -> Result<Vec<Scored>> {
    let inverted = segment.inverted_index(field)?;
    let mut lists = Vec::with_capacity(values.len());
    for value in values {
        let term = Term::from_field_text(field, value);
        let Some(info) = inverted.get_term_info(&term)? else {
            continue;
        };
        let mut postings =
            inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
        let mut docs = Vec::with_capacity(info.doc_freq as usize);
        while !postings.docs().is_empty() {
            docs.extend(postings.docs().iter().map(|&doc| (doc, 0.0)));
            postings.advance();
        }
        lists.push(docs);
    }
    Ok(union(lists, 0.0, 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Product;
    use crate::index::{CatalogGeneration, GenerationBuilder};
    use proptest::prelude::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};

    const WORDS: [&str; 8] = [
        "amul", "milk", "butter", "atta", "bread", "tata", "dairy", "ghee",
    ];

    /// 700 products whose titles carry word `j` when `i % (j + 1) == 0` (and "ghee" never),
    /// some twice: lists from 700 documents down to 100, over several postings blocks, so
    /// candidates are both read through and sought.
    fn generation() -> (tempfile::TempDir, CatalogGeneration) {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = GenerationBuilder::create(dir.path(), 1, 1, 20 << 20).unwrap();
        let fields = builder.fields();
        for i in 0..700usize {
            let mut title: Vec<&str> = (0..WORDS.len() - 1)
                .filter(|j| i % (j + 1) == 0)
                .map(|j| WORDS[j])
                .collect();
            if i % 5 == 1 {
                title.push("milk");
            }
            title.push("pack");
            let product = Product {
                id: format!("p{i}"),
                title: title.join(" "),
                ..Product::default()
            };
            builder.add(&product.id, fields.document(&product)).unwrap();
        }
        let generation = builder.finish().unwrap();
        (dir, generation)
    }

    /// The same tree as tantivy's own queries, which the executor must score alike.
    fn tantivy_query(node: &Node) -> Box<dyn Query> {
        match node {
            Node::Term {
                field, word, boost, ..
            } => Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(*field, word),
                    IndexRecordOption::WithFreqs,
                )),
                *boost,
            )),
            Node::Best { children, tie } => Box::new(DisjunctionMaxQuery::with_tie_breaker(
                children.iter().map(tantivy_query).collect(),
                *tie,
            )),
            Node::All(children) => Box::new(BooleanQuery::new(
                children
                    .iter()
                    .map(|c| (Occur::Must, tantivy_query(c)))
                    .collect(),
            )),
            Node::Has { .. } => unreachable!("the trees tested have no exact names"),
        }
    }

    fn tree(field: Field) -> impl Strategy<Value = Node> {
        let leaf = (0..WORDS.len(), 1..4u32, 0..3000u64).prop_map(move |(w, boost, docs)| {
            Node::term(field, WORDS[w], boost as f32 * 0.5, docs)
        });
        leaf.prop_recursive(3, 12, 4, |inner| {
            prop_oneof![
                (prop::collection::vec(inner.clone(), 2..4), 0..3u32).prop_map(
                    |(children, tie)| Node::Best {
                        children,
                        tie: tie as f32 * 0.25
                    }
                ),
                prop::collection::vec(inner, 2..3).prop_map(Node::All),
            ]
        })
    }

    fn scores(snapshot: &Snapshot, matching: &Matching) -> Vec<(DocId, f32)> {
        let mut out = Vec::new();
        run(
            snapshot,
            matching,
            &Filters::default(),
            |address, _, score| out.push((address.doc_id, score)),
        )
        .unwrap();
        out
    }

    #[test]
    fn a_product_the_message_names_gets_the_bonus_and_no_other_does() {
        let (_dir, generation) = generation();
        let snapshot = generation.snapshot();
        let amul = Node::term(snapshot.fields.title, "amul", 1.0, 700);
        let plain = scores(
            &snapshot,
            &Matching::Every {
                slots: vec![amul.clone()],
                bonus: None,
            },
        );
        let named = Node::Has {
            field: snapshot.fields.name_exact,
            value: "amul".into(),
            score: 2.0,
        };
        let bonused = scores(
            &snapshot,
            &Matching::Every {
                slots: vec![amul],
                bonus: Some(named),
            },
        );
        assert_eq!(plain.len(), bonused.len(), "the bonus matches nothing new");
        let mut raised = 0;
        for ((doc, before), (_, after)) in plain.iter().zip(&bonused) {
            // Titles of "amul" alone: no other word divides the doc number, and no "milk".
            let only_amul = (2..=7).all(|j| doc % j != 0) && doc % 5 != 1;
            assert_eq!(
                after - before,
                if only_amul { 2.0 } else { 0.0 },
                "doc {doc}"
            );
            raised += only_amul as usize;
        }
        assert!(raised > 50);
    }

    #[test]
    fn plans_match_and_score_as_tantivy_queries_do() {
        let (_dir, generation) = generation();
        let snapshot = generation.snapshot();
        let field = snapshot.fields.title;
        let mut runner = proptest::test_runner::TestRunner::default();
        runner
            .run(&tree(field), |node| {
                let mut ours = Vec::new();
                run(
                    &snapshot,
                    &Matching::Every {
                        slots: vec![node.clone()],
                        bonus: None,
                    },
                    &Filters::default(),
                    |address, _, score| {
                        ours.push((address.doc_id, score));
                    },
                )
                .unwrap();
                let theirs = snapshot
                    .searcher
                    .search(
                        &*tantivy_query(&node),
                        &TopDocs::with_limit(1000).order_by_score(),
                    )
                    .unwrap();
                let mut theirs: Vec<(DocId, f32)> = theirs
                    .into_iter()
                    .map(|(score, a)| (a.doc_id, score))
                    .collect();
                theirs.sort_by_key(|&(doc, _)| doc);
                prop_assert_eq!(ours.len(), theirs.len(), "{:?}", node);
                for ((doc, score), (their_doc, their_score)) in ours.iter().zip(&theirs) {
                    prop_assert_eq!(doc, their_doc);
                    prop_assert!((score - their_score).abs() <= 1e-4 * their_score.abs().max(1.0));
                }
                Ok(())
            })
            .unwrap();
    }
}
