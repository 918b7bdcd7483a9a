//! An fst automaton that matches a fixed byte prefix and then hands the rest of the key to
//! another automaton: "earlier words exactly, last word within a Levenshtein prefix DFA".
//! fst offers `Str`, `starts_with`, union and intersection but no concatenation, so this small
//! combinator is written here.

use fst::Automaton;

/// Matches `prefix`, then `inner` on the remaining bytes.
pub struct Then<'a, A> {
    prefix: &'a [u8],
    inner: A,
}

impl<'a, A> Then<'a, A> {
    /// `prefix` followed by a match of `inner`.
    pub fn new(prefix: &'a [u8], inner: A) -> Self {
        Then { prefix, inner }
    }
}

/// Where a [`Then`] automaton is.
#[derive(Clone)]
pub enum ThenState<S> {
    /// Inside the prefix, at this byte.
    Prefix(usize),
    /// Past the prefix.
    Inner(S),
    /// The prefix did not match.
    Dead,
}

impl<A: Automaton> Automaton for Then<'_, A> {
    type State = ThenState<A::State>;

    fn start(&self) -> Self::State {
        if self.prefix.is_empty() {
            ThenState::Inner(self.inner.start())
        } else {
            ThenState::Prefix(0)
        }
    }

    fn is_match(&self, state: &Self::State) -> bool {
        matches!(state, ThenState::Inner(s) if self.inner.is_match(s))
    }

    fn can_match(&self, state: &Self::State) -> bool {
        match state {
            ThenState::Prefix(_) => true,
            ThenState::Inner(s) => self.inner.can_match(s),
            ThenState::Dead => false,
        }
    }

    fn will_always_match(&self, state: &Self::State) -> bool {
        matches!(state, ThenState::Inner(s) if self.inner.will_always_match(s))
    }

    fn accept(&self, state: &Self::State, byte: u8) -> Self::State {
        match state {
            ThenState::Prefix(at) if self.prefix[*at] == byte => {
                if at + 1 == self.prefix.len() {
                    ThenState::Inner(self.inner.start())
                } else {
                    ThenState::Prefix(at + 1)
                }
            }
            ThenState::Prefix(_) | ThenState::Dead => ThenState::Dead,
            ThenState::Inner(s) => ThenState::Inner(self.inner.accept(s, byte)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fst::automaton::Str;
    use fst::{IntoStreamer, Set, Streamer};

    #[test]
    fn prefix_then_inner_automaton() {
        let set = Set::from_iter(["amul butter", "amul cheese", "mother butter"]).unwrap();
        let automaton = Then::new(b"amul ", Str::new("bu").starts_with());
        let mut stream = set.search(automaton).into_stream();
        let mut found = Vec::new();
        while let Some(key) = stream.next() {
            found.push(String::from_utf8(key.to_vec()).unwrap());
        }
        assert_eq!(found, ["amul butter"]);
    }
}
