//! TEMPORARY placeholder so the crate compiles until the real lexicon loader lands.
/// Base units.
pub enum BaseUnit {
    Grams,
    Millilitres,
    Pieces,
}
/// One unit alias.
pub struct UnitAlias {
    pub alias: String,
    pub base: BaseUnit,
    pub factor: f64,
}
/// Lexicon.
pub struct Lexicon {
    units: Vec<UnitAlias>,
}
impl Lexicon {
    /// Builtin.
    pub fn builtin() -> &'static Lexicon {
        static L: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        L.get_or_init(|| Lexicon {
            units: [
                ("kg", 0, 1000.0),
                ("kilo", 0, 1000.0),
                ("kgs", 0, 1000.0),
                ("ग्राम", 0, 1.0),
                ("किलो", 0, 1000.0),
                ("g", 0, 1.0),
                ("gm", 0, 1.0),
                ("ltr", 1, 1000.0),
                ("l", 1, 1000.0),
                ("ml", 1, 1.0),
                ("pcs", 2, 1.0),
                ("dozen", 2, 12.0),
            ]
            .iter()
            .map(|(a, b, f)| UnitAlias {
                alias: a.to_string(),
                base: match b {
                    0 => BaseUnit::Grams,
                    1 => BaseUnit::Millilitres,
                    _ => BaseUnit::Pieces,
                },
                factor: *f,
            })
            .collect(),
        })
    }
    /// Units.
    pub fn units(&self) -> &[UnitAlias] {
        &self.units
    }
}
/// Bound.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Bound {
    Max,
    Min,
}
/// Position.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PhrasePosition {
    Before,
    After,
}
/// Phrase.
pub struct PricePhrase {
    pub phrase: String,
    pub bound: Bound,
    pub position: PhrasePosition,
}
/// Concept.
pub struct Concept {
    pub id: String,
    pub group: String,
    pub terms: Vec<String>,
}
impl Lexicon {
    /// Fillers.
    pub fn fillers(&self) -> impl Iterator<Item = &str> {
        [
            "hi",
            "hello",
            "please",
            "bhaiya",
            "mujhe",
            "chahiye",
            "do you have",
            "want",
        ]
        .into_iter()
    }
    /// Phrases.
    pub fn price_phrases(&self) -> &[PricePhrase] {
        static P: std::sync::OnceLock<Vec<PricePhrase>> = std::sync::OnceLock::new();
        P.get_or_init(|| {
            vec![
                PricePhrase {
                    phrase: "under".into(),
                    bound: Bound::Max,
                    position: PhrasePosition::Before,
                },
                PricePhrase {
                    phrase: "se kam".into(),
                    bound: Bound::Max,
                    position: PhrasePosition::After,
                },
                PricePhrase {
                    phrase: "above".into(),
                    bound: Bound::Min,
                    position: PhrasePosition::Before,
                },
            ]
        })
    }
    /// Currency.
    pub fn currency_words(&self) -> impl Iterator<Item = &str> {
        ["rs", "inr", "rupees"].into_iter()
    }
    /// Concepts.
    pub fn concepts(&self) -> &[Concept] {
        &[]
    }
}
