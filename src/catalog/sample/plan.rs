//! Which products the catalog holds: every (variant, size) of every national, store and loose
//! line first, then regional brands to fill up to the requested count, in catalog order.

use rand::seq::{index, SliceRandom};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::pack::Pack;
use super::vocabulary::Vocabulary;

/// Who makes the products of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Maker {
    /// A brand's line: index into the kind's `lines`.
    Line(usize),
    /// The store's unbranded loose line.
    Generic,
    /// A regional brand: index into the kind's category's `local_brands`.
    Local(usize),
}

/// Products of one kind by one maker: the variants and sizes of one product.
#[derive(Debug)]
pub(crate) struct Group {
    pub kind: usize,
    pub maker: Maker,
    pub sizes: Vec<Pack>,
    /// Indexes of its variants in the line's `variants` (the kind's `local_names` for a
    /// regional brand); empty when it has none.
    pub variants: Vec<usize>,
}

/// One product to generate: a variant in a size of a group, `multiple` packs together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Sku {
    pub kind: usize,
    pub group: usize,
    pub variant: Option<usize>,
    pub size: usize,
    pub multiple: u32,
}

/// The groups and the chosen products, in catalog order.
#[derive(Debug)]
pub(crate) struct Plan {
    pub groups: Vec<Group>,
    pub skus: Vec<Sku>,
}

/// Chooses `count` products: a random subset of the national, store and loose lines when they
/// alone are enough, else all of them plus regional brands (and, past every regional brand,
/// multipacks of what is there).
pub(crate) fn plan(vocabulary: &Vocabulary, count: usize, rng: &mut ChaCha8Rng) -> Plan {
    let mut groups = core_groups(vocabulary);
    let core = skus_of(&groups, 0, 1);
    let mut skus = if count <= core.len() {
        pick(core, count, rng)
    } else {
        let needed = count - core.len();
        let first_local = groups.len();
        add_local_groups(vocabulary, &mut groups, needed, rng);
        let mut extra = skus_of(&groups, first_local, 1);
        let mut multiple = 2;
        while extra.len() < needed {
            extra.extend(skus_of(&groups, 0, multiple));
            multiple += 1;
        }
        let mut skus = core;
        skus.extend(pick(extra, needed, rng));
        skus
    };
    skus.sort_unstable();
    Plan { groups, skus }
}

fn core_groups(vocabulary: &Vocabulary) -> Vec<Group> {
    let mut groups = Vec::new();
    for (k, kind) in vocabulary.kinds.iter().enumerate() {
        for (l, line) in kind.lines.iter().enumerate() {
            groups.push(Group {
                kind: k,
                maker: Maker::Line(l),
                sizes: line.sizes.clone(),
                variants: (0..line.variants.len()).collect(),
            });
        }
        if kind.generic.is_some() {
            groups.push(Group {
                kind: k,
                maker: Maker::Generic,
                sizes: kind.sizes.clone(),
                variants: Vec::new(),
            });
        }
    }
    groups
}

/// Regional brands, `kind.local` more per kind each round, until they offer `needed` products
/// or every local name sells every kind that has local brands.
fn add_local_groups(
    vocabulary: &Vocabulary,
    groups: &mut Vec<Group>,
    needed: usize,
    rng: &mut ChaCha8Rng,
) {
    let orders: Vec<Vec<usize>> = vocabulary
        .kinds
        .iter()
        .map(|kind| {
            if kind.local == 0 {
                return Vec::new();
            }
            let names = vocabulary.local_brands[kind.category].len();
            let mut order: Vec<usize> = (0..names).collect();
            order.shuffle(rng);
            order
        })
        .collect();
    let mut offered = 0;
    for round in 0.. {
        let mut progressed = false;
        for (k, kind) in vocabulary.kinds.iter().enumerate() {
            let start = (round * kind.local).min(orders[k].len());
            let end = ((round + 1) * kind.local).min(orders[k].len());
            for &brand in &orders[k][start..end] {
                // A regional brand rarely packs every size the nationals do, nor every
                // name of the kind.
                let keep = rng.random_range(1..=kind.sizes.len());
                let from = rng.random_range(0..=kind.sizes.len() - keep);
                let sizes = kind.sizes[from..from + keep].to_vec();
                let names = kind.local_names.len();
                let variants = if names > 1 {
                    let chosen = rng.random_range(1..=names.min(3));
                    let mut picked = index::sample(rng, names, chosen).into_vec();
                    picked.sort_unstable();
                    picked
                } else {
                    Vec::new()
                };
                offered += sizes.len() * variants.len().max(1);
                groups.push(Group {
                    kind: k,
                    maker: Maker::Local(brand),
                    sizes,
                    variants,
                });
                progressed = true;
            }
        }
        if offered >= needed || !progressed {
            return;
        }
    }
}

fn skus_of(groups: &[Group], from: usize, multiple: u32) -> Vec<Sku> {
    let mut skus = Vec::new();
    for (g, group) in groups.iter().enumerate().skip(from) {
        let variants: Vec<Option<usize>> = if group.variants.is_empty() {
            vec![None]
        } else {
            group.variants.iter().copied().map(Some).collect()
        };
        for variant in variants {
            for size in 0..group.sizes.len() {
                skus.push(Sku {
                    kind: group.kind,
                    group: g,
                    variant,
                    size,
                    multiple,
                });
            }
        }
    }
    skus
}

/// `count` of `skus`, chosen at random.
fn pick(skus: Vec<Sku>, count: usize, rng: &mut ChaCha8Rng) -> Vec<Sku> {
    let mut chosen = index::sample(rng, skus.len(), count).into_vec();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| skus[i]).collect()
}
