//! The built-in lexicon: grocery synonyms across English, Hinglish and Devanagari Hindi, chat
//! fillers, pack-size unit aliases, price phrases and currency words. The data lives in plain
//! text files under `index-data/lexicon/`, each explaining its format in a header comment,
//! and is compiled into the binary, so nothing is read at run time. It is parsed and
//! cross-checked once, on first use; a unit test guarantees that the committed files parse.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::tokens;

mod parse;
use parse::*;

/// The text of the five lexicon files.
#[derive(Debug, Clone, Copy)]
pub struct LexiconFiles<'a> {
    /// `synonyms.txt`: `[group]` lines and `id: term, term, ...` concepts.
    pub synonyms: &'a str,
    /// `fillers.txt`: one filler word or phrase a line.
    pub fillers: &'a str,
    /// `units.tsv`: `alias<TAB>g|ml|pcs<TAB>factor`.
    pub units: &'a str,
    /// `prices.tsv`: `phrase<TAB>max|min<TAB>before|after`.
    pub prices: &'a str,
    /// `currency.txt`: one currency word a line.
    pub currency: &'a str,
    /// `intents.tsv`: `phrase<TAB>intent`.
    pub intents: &'a str,
}

impl LexiconFiles<'static> {
    /// The files committed in `index-data/lexicon/`, embedded at compile time.
    pub const BUILTIN: LexiconFiles<'static> = LexiconFiles {
        synonyms: include_str!("../../../index-data/lexicon/synonyms.txt"),
        fillers: include_str!("../../../index-data/lexicon/fillers.txt"),
        units: include_str!("../../../index-data/lexicon/units.tsv"),
        prices: include_str!("../../../index-data/lexicon/prices.tsv"),
        currency: include_str!("../../../index-data/lexicon/currency.txt"),
        intents: include_str!("../../../index-data/lexicon/intents.tsv"),
    };
}

/// A line of a lexicon file that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct LexiconError {
    /// File name, e.g. `units.tsv`.
    pub file: &'static str,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with the line and how to fix it.
    pub message: String,
}

/// The base unit a pack size is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseUnit {
    /// Mass, in grams (`g`).
    Grams,
    /// Volume, in millilitres (`ml`).
    Millilitres,
    /// Count, in pieces (`pcs`).
    Pieces,
}

/// A way of writing a unit after a number ("kgs", "किलो") and what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitAlias {
    /// The alias as written in `units.tsv`; it analyzes to exactly one token.
    pub alias: String,
    /// The base unit it converts to.
    pub base: BaseUnit,
    /// Base units in one of the alias ("kg" → 1000).
    pub factor: f64,
}

/// Which side of the price a phrase limits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Bound {
    /// A ceiling: "under 300" becomes `price_max`.
    Max,
    /// A floor: "above 300" becomes `price_min`.
    Min,
}

/// Where a price phrase sits relative to its number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PhrasePosition {
    /// Before the number: "under 300".
    Before,
    /// After the number: "300 se kam".
    After,
}

/// A phrase that makes a number a price bound.
#[derive(Debug, Clone, PartialEq)]
pub struct PricePhrase {
    /// The phrase as written in `prices.tsv`; analyze it to match messages.
    pub phrase: String,
    /// The bound it sets.
    pub bound: Bound,
    /// Whether it comes before or after the number.
    pub position: PhrasePosition,
}

/// How a shopper asks to choose among products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Lowest price first.
    Cheapest,
    /// Highest price first.
    Dearest,
    /// Most popular first.
    Popular,
    /// Bigger packs first.
    BigPack,
    /// Smaller packs first.
    SmallPack,
    /// Products on sale first.
    OnSale,
}

impl Intent {
    /// Parses the intent column of `intents.tsv`.
    pub fn parse(text: &str) -> Option<Intent> {
        Some(match text {
            "cheapest" => Intent::Cheapest,
            "dearest" => Intent::Dearest,
            "popular" => Intent::Popular,
            "big_pack" => Intent::BigPack,
            "small_pack" => Intent::SmallPack,
            "on_sale" => Intent::OnSale,
            _ => return None,
        })
    }
}

/// A phrase that says how to choose.
#[derive(Debug, Clone, PartialEq)]
pub struct IntentPhrase {
    /// The phrase as written in `intents.tsv`; analyze it to match messages.
    pub phrase: String,
    pub intent: Intent,
}

/// One grocery concept: the words shoppers use for the same thing, in any script.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// Stable id, e.g. `wheat-flour`.
    pub id: String,
    /// The group it is listed under, e.g. `flours`, `dairy`.
    pub group: String,
    /// Its terms as written in `synonyms.txt` ("atta", "gehun ka atta", "आटा"); their
    /// analyzed forms are [`Lexicon::concept_terms`].
    pub terms: Vec<String>,
}

/// The parsed lexicon. Use [`Lexicon::builtin`]; [`Lexicon::parse`] is for tools and tests.
#[derive(Debug)]
pub struct Lexicon {
    concepts: Vec<Concept>,
    /// Per concept, the analyzed keys of its terms, without duplicates, in file order.
    concept_keys: Vec<Vec<Vec<String>>>,
    /// Analyzed key of every term → its concept.
    concept_by_key: HashMap<Vec<String>, usize>,
    fillers: Vec<String>,
    units: Vec<UnitAlias>,
    price_phrases: Vec<PricePhrase>,
    currency: Vec<String>,
    intents: Vec<IntentPhrase>,
    /// One-word terms in the scripts that write compounds as one word (Telugu, Tamil,
    /// Kannada, Malayalam), longest first: the heads [`Lexicon::split_compound`] cuts off.
    compound_heads: Vec<String>,
}

/// Whether a word is written in a script that joins compounds into one word: Tamil, Telugu,
/// Kannada, Malayalam (కందిపప్పు is కంది + పప్పు, "kandi pappu").
fn compounds(word: &str) -> bool {
    word.chars().any(|c| ('\u{0B80}'..='\u{0D7F}').contains(&c))
}

/// Fewest characters the part before a compound's head must have.
const MIN_COMPOUND_PART_CHARS: usize = 2;

impl Lexicon {
    /// The lexicon compiled into the binary, parsed on first use.
    pub fn builtin() -> &'static Lexicon {
        static BUILTIN: OnceLock<Lexicon> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The unit test `committed_lexicon_parses` keeps this from ever failing.
            Lexicon::parse(&LexiconFiles::BUILTIN).expect("the committed lexicon parses")
        })
    }

    /// Parses and cross-checks the five files: every entry analyzes to at least one token
    /// (a unit alias to exactly one), no entry is listed twice, no term is in two concepts,
    /// and no filler is also a term or a unit. The first problem is returned with its line.
    pub fn parse(files: &LexiconFiles) -> Result<Lexicon, LexiconError> {
        let fillers = parse_word_list("fillers.txt", files.fillers, "remove it")?;
        let mut lexicon = Lexicon {
            concepts: Vec::new(),
            concept_keys: Vec::new(),
            concept_by_key: HashMap::new(),
            fillers: fillers.iter().map(|(_, f, _)| f.clone()).collect(),
            units: parse_units(files.units)?,
            price_phrases: parse_prices(files.prices)?,
            currency: parse_currency(files.currency)?,
            intents: parse_intents(files.intents)?,
            compound_heads: Vec::new(),
        };
        let mut checks = TermChecks {
            single_fillers: (fillers.iter())
                .filter(|(_, _, analyzed)| analyzed.len() == 1)
                .map(|(_, _, analyzed)| analyzed[0].clone())
                .collect(),
            units: (lexicon.units.iter().rev())
                .map(|u| (tokens(&u.alias).swap_remove(0), u.alias.clone()))
                .collect(),
            full_terms: HashMap::new(),
            concept_lines: Vec::new(),
        };
        lexicon.read_synonyms(files.synonyms, &mut checks)?;
        lexicon.check_fillers(&fillers, &checks)?;
        let mut heads: Vec<String> = (lexicon.concept_keys.iter().flatten())
            .filter_map(|term| match term.as_slice() {
                [word] if compounds(word) => Some(word.clone()),
                _ => None,
            })
            .collect();
        heads.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        heads.dedup();
        lexicon.compound_heads = heads;
        Ok(lexicon)
    }

    /// Unit aliases, in file order.
    pub fn units(&self) -> &[UnitAlias] {
        &self.units
    }

    /// Chat fillers (words and phrases), as written; analyze them to match messages.
    pub fn fillers(&self) -> impl Iterator<Item = &str> {
        self.fillers.iter().map(String::as_str)
    }

    /// Price phrases, in file order.
    pub fn price_phrases(&self) -> &[PricePhrase] {
        &self.price_phrases
    }

    /// Intent phrases, in file order.
    pub fn intent_phrases(&self) -> &[IntentPhrase] {
        &self.intents
    }

    /// Currency words ("rs", "rupaye", "रुपये"), as written.
    pub fn currency_words(&self) -> impl Iterator<Item = &str> {
        self.currency.iter().map(String::as_str)
    }

    /// An analyzed word of a compounding script cut before the lexicon word it ends with:
    /// కందిపప్పు → (కంది, పప్పు), துவரம்பருப்பு → (துவரம், பருப்பு). `None` for other words.
    pub fn split_compound<'a>(&self, word: &'a str) -> Option<(&'a str, &'a str)> {
        if !compounds(word) {
            return None;
        }
        self.compound_heads.iter().find_map(|head| {
            let stem = word.strip_suffix(head.as_str())?;
            (stem.chars().count() >= MIN_COMPOUND_PART_CHARS).then(|| (stem, &word[stem.len()..]))
        })
    }

    /// `tokens` with every compound cut in two ([`Lexicon::split_compound`]).
    pub fn split_compounds(&self, tokens: Vec<String>) -> Vec<String> {
        if !tokens.iter().any(|t| compounds(t)) {
            return tokens;
        }
        let mut out = Vec::with_capacity(tokens.len() + 1);
        for token in tokens {
            match self.split_compound(&token) {
                Some((stem, head)) => {
                    out.push(stem.to_string());
                    out.push(head.to_string());
                }
                None => out.push(token),
            }
        }
        out
    }

    /// All concepts, in file order.
    pub fn concepts(&self) -> &[Concept] {
        &self.concepts
    }

    /// The analyzed forms of concept `concept`'s terms: each term's tokens without the
    /// one-word chat fillers (the Hindi particles ka / ki / ke above all), as the query parser
    /// leaves a message: "gehun ka atta" → `["gehun", "atta"]`. Spellings that analyze alike
    /// ("curd", "curds") appear once.
    pub fn concept_terms(&self, concept: usize) -> &[Vec<String>] {
        &self.concept_keys[concept]
    }

    /// The concept whose term is exactly `term`, given as analyzed tokens without fillers
    /// (`["atta"]`, `["wheat", "flour"]`). A term belongs to at most one concept.
    pub fn concept_of(&self, term: &[String]) -> Option<usize> {
        self.concept_by_key.get(term).copied()
    }

    fn read_synonyms(&mut self, text: &str, checks: &mut TermChecks) -> Result<(), LexiconError> {
        let mut group: Option<String> = None;
        let mut ids: HashMap<String, usize> = HashMap::new();
        for (line, content) in content_lines(text) {
            let fail = error_at("synonyms.txt", line);
            match parse_synonym_line(content).map_err(&fail)? {
                SynonymLine::Group(name) => group = Some(name),
                SynonymLine::Concept { id, terms } => {
                    let group = (group.clone())
                        .ok_or_else(|| fail(format!("concept `{id}` comes before any [group]")))?;
                    if let Some(first) = ids.insert(id.clone(), line) {
                        return Err(fail(format!("concept id `{id}` is used on line {first}")));
                    }
                    let concept = Concept { id, group, terms };
                    self.add_concept(concept, line, checks).map_err(&fail)?;
                }
            }
        }
        Ok(())
    }

    fn add_concept(
        &mut self,
        concept: Concept,
        line: usize,
        checks: &mut TermChecks,
    ) -> Result<(), String> {
        let index = self.concepts.len();
        let mut keys: Vec<Vec<String>> = Vec::new();
        for term in &concept.terms {
            let full = tokens(term);
            let key: Vec<String> = (full.iter())
                .filter(|t| !checks.single_fillers.contains(*t))
                .cloned()
                .collect();
            if key.is_empty() {
                return Err(format!(
                    "term `{term}` has no searchable word left after analysis and dropping \
                     chat fillers; remove it"
                ));
            }
            if let Some(alias) = full.first().filter(|_| full.len() == 1) {
                if let Some(alias) = checks.units.get(alias) {
                    return Err(format!(
                        "term `{term}` is also the unit `{alias}`; drop one"
                    ));
                }
            }
            match self.concept_by_key.get(&key) {
                Some(&other) if other != index => {
                    return Err(format!(
                        "term `{term}` (read as `{}`) is already in concept `{}` on line {}; \
                         a term belongs to one concept only",
                        key.join(" "),
                        self.concepts[other].id,
                        checks.concept_lines[other]
                    ));
                }
                Some(_) => {} // another spelling that reads the same: "curds" after "curd"
                None => {
                    self.concept_by_key.insert(key.clone(), index);
                    keys.push(key);
                }
            }
            checks.full_terms.insert(full, index);
        }
        if keys.len() < 2 {
            let id = &concept.id;
            return Err(format!(
                "concept `{id}` needs two terms that read differently"
            ));
        }
        self.concepts.push(concept);
        self.concept_keys.push(keys);
        checks.concept_lines.push(line);
        Ok(())
    }

    /// No filler may be a concept term or a unit: the query parser would drop a product word.
    fn check_fillers(
        &self,
        fillers: &[ListEntry],
        checks: &TermChecks,
    ) -> Result<(), LexiconError> {
        for (line, filler, analyzed) in fillers {
            let term = (checks.full_terms.get(analyzed))
                .or_else(|| self.concept_by_key.get(analyzed))
                .map(|&c| format!("a term of concept `{}`", self.concepts[c].id));
            let unit = || match analyzed.as_slice() {
                [only] => (checks.units.get(only)).map(|alias| format!("the unit `{alias}`")),
                _ => None,
            };
            if let Some(clash) = term.or_else(unit) {
                let message = format!("filler `{filler}` is also {clash}; remove one of them");
                return Err(error_at("fillers.txt", *line)(message));
            }
        }
        Ok(())
    }
}

/// What a synonym term is checked against while `synonyms.txt` is read.
struct TermChecks {
    /// Fillers of one word, which concept keys leave out.
    single_fillers: HashSet<String>,
    /// Analyzed unit alias → the alias as written.
    units: HashMap<String, String>,
    /// Full analysis (fillers kept) of every term read so far → its concept.
    full_terms: HashMap<Vec<String>, usize>,
    /// The line of each concept read so far.
    concept_lines: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> &'static Lexicon {
        Lexicon::builtin()
    }

    /// The concept of a shopper's word or phrase, analyzed and filler-free like a query.
    fn concept(term: &str) -> Option<&'static str> {
        let lexicon = builtin();
        let analyzed = tokens(term);
        let key: Vec<String> = analyzed
            .into_iter()
            .filter(|t| !lexicon.fillers().any(|f| tokens(f) == [t.as_str()]))
            .collect();
        lexicon
            .concept_of(&key)
            .map(|c| lexicon.concepts()[c].id.as_str())
    }

    fn assert_same_concept(terms: &[&str]) {
        let first = concept(terms[0]);
        assert!(first.is_some(), "`{}` is in no concept", terms[0]);
        for term in terms {
            assert_eq!(concept(term), first, "`{term}` vs `{}`", terms[0]);
        }
    }

    fn files_with<'a>(change: impl FnOnce(&mut LexiconFiles<'a>)) -> LexiconFiles<'a> {
        let mut files = LexiconFiles::BUILTIN;
        change(&mut files);
        files
    }

    #[test]
    fn compounds_are_cut_before_the_lexicon_word_they_end_with() {
        let lexicon = Lexicon::builtin();
        assert_eq!(lexicon.split_compound("కందిపప్పు"), Some(("కంది", "పప్పు")));
        assert_eq!(
            lexicon.split_compound("துவரம்பருப்பு"),
            Some(("துவரம்", "பருப்பு"))
        );
        assert_eq!(lexicon.split_compound("పప్పు"), None, "the head alone stays");
        assert_eq!(
            lexicon.split_compound("दालचीनी"),
            None,
            "Hindi writes no such compounds"
        );
        assert_eq!(
            lexicon.split_compounds(vec!["ತೊಗರಿಬೇಳೆ".into(), "1".into()]),
            ["ತೊಗರಿ", "ಬೇಳೆ", "1"]
        );
    }

    #[test]
    fn committed_lexicon_parses() {
        if let Err(err) = Lexicon::parse(&LexiconFiles::BUILTIN) {
            panic!("{err}");
        }
    }

    #[test]
    fn hundreds_of_grocery_concepts_in_every_group() {
        let concepts = builtin().concepts();
        assert!(concepts.len() >= 300, "{} concepts", concepts.len());
        let groups: HashSet<&str> = concepts.iter().map(|c| c.group.as_str()).collect();
        for group in [
            "flours",
            "pulses",
            "dairy",
            "vegetables",
            "fruits",
            "spices",
            "oils",
        ] {
            assert!(groups.contains(group), "{group}");
        }
        for group in [
            "snacks",
            "beverages",
            "household",
            "personal-care",
            "baby-care",
        ] {
            assert!(groups.contains(group), "{group}");
        }
    }

    #[test]
    fn a_term_belongs_to_one_concept() {
        let lexicon = builtin();
        let mut owner: HashMap<Vec<String>, &str> = HashMap::new();
        for (at, c) in lexicon.concepts().iter().enumerate() {
            for key in lexicon.concept_terms(at) {
                if let Some(other) = owner.insert(key.clone(), &c.id) {
                    panic!("{key:?} is in `{other}` and `{}`", c.id);
                }
                assert_eq!(lexicon.concept_of(key), Some(at));
            }
        }
    }

    #[test]
    fn every_entry_is_searchable() {
        let lexicon = builtin();
        for (at, c) in lexicon.concepts().iter().enumerate() {
            assert!(
                lexicon.concept_terms(at).len() >= 2 || c.terms.len() >= 2,
                "{}",
                c.id
            );
            for term in &c.terms {
                assert!(!tokens(term).is_empty(), "{term}");
            }
        }
        for filler in lexicon.fillers() {
            assert!(!tokens(filler).is_empty(), "{filler}");
        }
        for unit in lexicon.units() {
            assert_eq!(tokens(&unit.alias).len(), 1, "{}", unit.alias);
        }
        for phrase in lexicon.price_phrases() {
            assert!(!tokens(&phrase.phrase).is_empty(), "{}", phrase.phrase);
        }
        assert!(lexicon.currency_words().all(|w| !tokens(w).is_empty()));
    }

    #[test]
    fn no_filler_is_a_product_word_or_a_unit() {
        let lexicon = builtin();
        let units: Vec<Vec<String>> = lexicon.units().iter().map(|u| tokens(&u.alias)).collect();
        for filler in lexicon.fillers() {
            let analyzed = tokens(filler);
            assert_eq!(lexicon.concept_of(&analyzed), None, "{filler}");
            for c in lexicon.concepts() {
                assert!(c.terms.iter().all(|t| tokens(t) != analyzed), "{filler}");
            }
            assert!(!units.contains(&analyzed), "{filler}");
        }
    }

    #[test]
    fn shoppers_words_for_one_thing_meet() {
        assert_same_concept(&["atta", "aata", "ata", "wheat flour", "gehun ka atta", "आटा"]);
        assert_same_concept(&["dahi", "curd", "curds", "yogurt", "दही"]);
        assert_same_concept(&["chini", "cheeni", "sugar", "चीनी"]);
        assert_same_concept(&["anda", "ande", "egg", "eggs", "अंडा", "अंडे"]);
        assert_same_concept(&["pyaz", "pyaaz", "pyaj", "piyaz", "onion", "प्याज़"]);
        assert_same_concept(&["doodh", "dudh", "milk", "दूध"]);
        assert_same_concept(&["sarson ka tel", "sarson tel", "mustard oil", "सरसों का तेल"]);
        assert_same_concept(&["toor dal", "arhar dal", "tuvar dal", "अरहर दाल"]);
        assert_same_concept(&["jhadu", "broom", "झाड़ू"]);
    }

    #[test]
    fn broader_and_narrower_words_stay_apart() {
        for (broad, narrow) in [
            ("dal", "toor dal"),
            ("mirchi", "hari mirch"),
            ("tel", "sarson ka tel"),
            ("atta", "bajra atta"),
            ("moong", "moong dal"),
        ] {
            assert!(concept(broad).is_some() && concept(narrow).is_some());
            assert_ne!(concept(broad), concept(narrow), "{broad} / {narrow}");
        }
    }

    #[test]
    fn units_cover_how_shoppers_write_them() {
        let unit = |word: &str| {
            let token = &tokens(word)[0];
            (builtin().units().iter())
                .find(|u| tokens(&u.alias)[0] == *token)
                .map(|u| (u.base, u.factor))
        };
        for kilo in ["kg", "kgs", "kilo", "kilos", "kilogram", "किलो", "किलोग्राम"]
        {
            assert_eq!(unit(kilo), Some((BaseUnit::Grams, 1000.0)), "{kilo}");
        }
        for gram in ["g", "gm", "gms", "grams", "ग्राम"] {
            assert_eq!(unit(gram), Some((BaseUnit::Grams, 1.0)), "{gram}");
        }
        for litre in ["l", "ltr", "litres", "liter", "लीटर"] {
            assert_eq!(
                unit(litre),
                Some((BaseUnit::Millilitres, 1000.0)),
                "{litre}"
            );
        }
        assert_eq!(unit("दर्जन"), Some((BaseUnit::Pieces, 12.0)));
        assert_eq!(unit("pcs"), Some((BaseUnit::Pieces, 1.0)));
        // "pack of 6", "Family Pack": a pack is not a unit.
        assert_eq!(unit("pack"), None);
    }

    #[test]
    fn price_phrases_read_both_ways_and_the_rupee_sign_vanishes() {
        let phrase = |text: &str, position| {
            (builtin().price_phrases().iter())
                .find(|p| tokens(&p.phrase) == tokens(text) && p.position == position)
                .map(|p| p.bound)
        };
        assert_eq!(phrase("under", PhrasePosition::Before), Some(Bound::Max));
        assert_eq!(phrase("se kam", PhrasePosition::After), Some(Bound::Max));
        assert_eq!(phrase("ke andar", PhrasePosition::After), Some(Bound::Max));
        assert_eq!(phrase("से कम", PhrasePosition::After), Some(Bound::Max));
        assert_eq!(phrase("se zyada", PhrasePosition::After), Some(Bound::Min));
        assert_eq!(phrase("above", PhrasePosition::Before), Some(Bound::Min));
        // "₹" is no word, so "below ₹300" reaches the parser as "below 300".
        assert_eq!(tokens("below ₹300"), ["below", "300"]);
        assert_eq!(tokens("₹ 300 se kam"), ["300", "se", "kam"]);
        let currency: Vec<String> = builtin().currency_words().flat_map(tokens).collect();
        for word in ["Rs.", "rupees", "रुपये", "रु."] {
            assert!(currency.contains(&tokens(word)[0]), "{word}");
        }
    }

    #[test]
    fn malformed_lines_are_reported_with_their_line() {
        let cases: [(LexiconFiles, &str, usize); 7] = [
            (files_with(|f| f.units = "# kilo\nkg\tg\n"), "units.tsv", 2),
            (files_with(|f| f.units = "kg\tkg\t1000"), "units.tsv", 1),
            (files_with(|f| f.units = "kg\tg\t-1"), "units.tsv", 1),
            (
                files_with(|f| f.prices = "under\tmax\tlater"),
                "prices.tsv",
                1,
            ),
            (
                files_with(|f| f.synonyms = "milk: doodh, milk"),
                "synonyms.txt",
                1,
            ),
            (
                files_with(|f| f.synonyms = "[d]\nmilk: doodh,, milk"),
                "synonyms.txt",
                2,
            ),
            (files_with(|f| f.currency = "rs\n₹"), "currency.txt", 2),
        ];
        for (files, file, line) in cases {
            let err = Lexicon::parse(&files).expect_err(file);
            assert_eq!((err.file, err.line), (file, line), "{err}");
        }
    }

    #[test]
    fn a_term_in_two_concepts_or_a_filler_term_is_rejected() {
        let twice = files_with(|f| f.synonyms = "[d]\nmilk: doodh, milk\n\nlassi: lassi, Milk");
        let err = Lexicon::parse(&twice).unwrap_err();
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.contains("line 2"), "{err}");
        let filler = files_with(|f| f.synonyms = "[d]\nmilk: doodh, milk\nhello: hi, hey");
        assert_eq!(Lexicon::parse(&filler).unwrap_err().line, 3);
        let unit = files_with(|f| f.synonyms = "[d]\nkilo: kilo, kg");
        assert_eq!(Lexicon::parse(&unit).unwrap_err().line, 2);
    }
}
