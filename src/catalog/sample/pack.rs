//! Pack sizes as catalogs write them (`"500 g"`, `"1 l"`, `"6 x 200 ml"`, `"12 pcs"`), their
//! quantity in a base unit, their Hindi form, and the MRP-style rounding of pack prices.

/// What a pack size measures; sizes of one product compare only within one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dimension {
    Mass,
    Volume,
    Count,
    Bunch,
    Length,
}

/// One pack size: `count` packs of `amount` `unit` each, as written in `text`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pack {
    /// As written in the `size` field: `"500 g"`, `"6 x 200 ml"`.
    pub text: String,
    /// As a title writes it: `"500 g"`, `"100 g (Pack of 4)"` for a multipack.
    pub title: String,
    /// In Hindi: `"5 किलो"`, `"6 x 200 मिली"`, `"100 ग्राम (4 का पैक)"`.
    pub hindi: String,
    count: u32,
    amount: f64,
    unit: &'static str,
}

/// Units a size may use: written form, Hindi form, dimension, and how many base units
/// (kg, l, pieces, bunches, metres) one of it is.
const UNITS: [(&str, &str, Dimension, f64); 8] = [
    ("g", "ग्राम", Dimension::Mass, 0.001),
    ("kg", "किलो", Dimension::Mass, 1.0),
    ("ml", "मिली", Dimension::Volume, 0.001),
    ("l", "लीटर", Dimension::Volume, 1.0),
    ("pc", "पीस", Dimension::Count, 1.0),
    ("pcs", "पीस", Dimension::Count, 1.0),
    ("bunch", "गड्डी", Dimension::Bunch, 1.0),
    ("m", "मीटर", Dimension::Length, 1.0),
];

impl Pack {
    /// Parses `"500 g"` or `"6 x 200 ml"`.
    pub fn parse(text: &str) -> Result<Pack, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let (count, amount, unit) = match words.as_slice() {
            [amount, unit] => ("1", *amount, *unit),
            [count, "x", amount, unit] => (*count, *amount, *unit),
            _ => {
                return Err(format!(
                    "size {text:?} is not like \"500 g\" or \"6 x 200 ml\""
                ))
            }
        };
        let count: u32 = count
            .parse()
            .map_err(|_| format!("size {text:?}: {count:?} is not a whole number"))?;
        let amount: f64 = amount
            .parse()
            .ok()
            .filter(|a: &f64| a.is_finite() && *a > 0.0)
            .ok_or_else(|| format!("size {text:?}: {amount:?} is not a positive number"))?;
        let unit = UNITS
            .iter()
            .find(|(name, ..)| *name == unit)
            .map(|(name, ..)| *name)
            .ok_or_else(|| format!("size {text:?}: unknown unit {unit:?}"))?;
        Ok(Pack::new(count.max(1), amount, unit, false))
    }

    fn new(count: u32, amount: f64, unit: &'static str, pack_of: bool) -> Pack {
        let number = format_amount(amount);
        let unit_hi = unit_of(unit).1;
        let (text, title, hindi) = match count {
            1 => (
                format!("{number} {unit}"),
                format!("{number} {unit}"),
                format!("{number} {unit_hi}"),
            ),
            n if pack_of => (
                format!("{n} x {number} {unit}"),
                format!("{number} {unit} (Pack of {n})"),
                format!("{number} {unit_hi} ({n} का पैक)"),
            ),
            n => (
                format!("{n} x {number} {unit}"),
                format!("{n} x {number} {unit}"),
                format!("{n} x {number} {unit_hi}"),
            ),
        };
        Pack {
            text,
            title,
            hindi,
            count,
            amount,
            unit,
        }
    }

    fn unit(&self) -> &'static (&'static str, &'static str, Dimension, f64) {
        unit_of(self.unit)
    }

    /// Total quantity in the base unit of its dimension (kg, l, pieces, bunches, metres).
    pub fn quantity(&self) -> f64 {
        f64::from(self.count) * self.amount * self.unit().3
    }

    /// What the size measures.
    pub fn dimension(&self) -> Dimension {
        self.unit().2
    }

    /// Whether this is a single piece, which titles leave out.
    pub fn is_single_piece(&self) -> bool {
        self.count == 1 && self.amount == 1.0 && self.unit().2 == Dimension::Count
    }

    /// `n` of these packs sold together: size `"2 x 1 kg"`, titled `"1 kg (Pack of 2)"`.
    pub fn times(&self, n: u32) -> Pack {
        Pack::new(self.count * n, self.amount, self.unit, true)
    }

    /// Whether this is one pack (not a multipack).
    pub fn is_single(&self) -> bool {
        self.count == 1
    }
}

fn unit_of(unit: &str) -> &'static (&'static str, &'static str, Dimension, f64) {
    UNITS
        .iter()
        .find(|(name, ..)| *name == unit)
        .expect("units are checked on parse")
}

fn format_amount(amount: f64) -> String {
    if amount.fract() == 0.0 && amount.abs() < 1e15 {
        (amount as i64).to_string()
    } else {
        amount.to_string()
    }
}

/// ASCII digits written as Devanagari digits, as some local shops print them: `"५ किलो"`.
pub(crate) fn devanagari_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32('०' as u32 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// Rounds a computed price the way printed MRPs look: whole rupees, then steps of 5 from
/// ₹100 and of 10 from ₹1,000, with round hundreds and fifties shown one rupee under (₹249).
pub(crate) fn mrp(value: f64) -> f64 {
    if value < 100.0 {
        return value.round().max(1.0);
    }
    let step = if value < 1000.0 { 5.0 } else { 10.0 };
    let rounded = (value / step).round() * step;
    let charm = if value < 1000.0 { 50.0 } else { 100.0 };
    if rounded % charm == 0.0 {
        rounded - 1.0
    } else {
        rounded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_to_base_quantities() {
        let five_kg = Pack::parse("5 kg").unwrap();
        assert_eq!(
            (five_kg.quantity(), five_kg.dimension()),
            (5.0, Dimension::Mass)
        );
        let six_pack = Pack::parse("6 x 200 ml").unwrap();
        assert!((six_pack.quantity() - 1.2).abs() < 1e-9);
        assert_eq!(six_pack.hindi, "6 x 200 मिली");
        assert_eq!(Pack::parse("1 bunch").unwrap().hindi, "1 गड्डी");
        let two = Pack::parse("1 kg").unwrap().times(2);
        assert_eq!(
            (two.text.as_str(), two.title.as_str()),
            ("2 x 1 kg", "1 kg (Pack of 2)")
        );
        assert_eq!(two.hindi, "1 किलो (2 का पैक)");
        assert_eq!(Pack::parse("1.5 l").unwrap().hindi, "1.5 लीटर");
        assert!(Pack::parse("1 pc").unwrap().is_single_piece());
        assert!(!Pack::parse("6 pcs").unwrap().is_single_piece());
        assert!(Pack::parse("5kg").is_err());
        assert!(Pack::parse("5 stone").is_err());
    }

    #[test]
    fn prices_look_like_printed_mrps() {
        assert_eq!(mrp(27.4), 27.0);
        assert_eq!(mrp(251.0), 249.0);
        assert_eq!(mrp(263.0), 265.0);
        assert_eq!(mrp(1496.0), 1499.0);
        assert_eq!(devanagari_digits("5 किलो"), "५ किलो");
    }
}
